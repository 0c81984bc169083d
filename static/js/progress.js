// A progress bar for long work (a retrain, ...): <div data-progress-url="...">
// holding a <progress>, a [data-progress-stage] and a [data-progress-message].
// It asks the JSON status endpoint once a second until the work is done or
// failed ({"percent", "stage", "state", "message"}); the page itself never waits.
// When the work ends, the page's [data-progress-results] region (a table of runs,
// a queue of suggestions) is drawn again from the same address, so what the work
// changed shows without a reload; the rest of the page, and its scroll, stay.
(function () {
  "use strict";
  var INTERVAL_MS = 1000;
  // GET with the session's cookies; a non-2xx answer is an error.
  function get(url, accept) {
    return fetch(url, {
      headers: { Accept: accept },
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response;
    });
  }
  function watch(box) {
    var bar = box.querySelector("progress");
    var stage = box.querySelector("[data-progress-stage]");
    var message = box.querySelector("[data-progress-message]");
    var download = box.querySelector("[data-progress-download]");
    function show(status) {
      bar.value = status.percent;
      bar.textContent = status.percent + "%";
      stage.textContent = status.stage + " (" + status.percent + "%)";
      message.textContent = status.message || "";
      box.dataset.state = status.state;
      if (download && status.download) {
        // An export is ready: its file, for whoever started it.
        download.querySelector("a").href = status.download;
        download.hidden = false;
      }
    }
    function refreshResults() {
      var region = document.querySelector("[data-progress-results]");
      if (!region) return;
      get(window.location.href, "text/html")
        .then(function (response) {
          return response.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector("[data-progress-results]");
          if (fresh) {
            region.innerHTML = fresh.innerHTML;
            region.dataset.refreshed = "true";
          }
        })
        .catch(function () {
          // The link "Show the results" still reloads the whole page.
        });
    }
    function poll() {
      get(box.dataset.progressUrl, "application/json")
        .then(function (response) {
          return response.json();
        })
        .then(function (status) {
          show(status);
          if (status.state === "running") window.setTimeout(poll, INTERVAL_MS);
          else refreshResults();
        })
        .catch(function () {
          // A missed answer (a restart, a busy database): ask again later.
          window.setTimeout(poll, INTERVAL_MS * 3);
        });
    }
    if (box.dataset.state === "running") poll();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-progress-url]").forEach(watch);
  });
})();
