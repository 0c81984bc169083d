// Scan fields for keyboard-wedge scanners (and typed SKUs): a scanner types the
// code and presses Enter. A scan box ([data-scan]) is hidden without script, so
// the plain form below it still works on its own.
//
// data-scan-mode="rows": the page lists its rows ([data-codes]: the SKU and
//   each barcode as 14 digits); a scan adds 1 to the row's [data-scan-qty]
//   input (up to its max) or, in a [data-scan-extra] list, adds a new row for
//   a product found that is not listed.
// data-scan-mode="lines": a formset of SKU + quantity rows (transfers); a scan
//   adds 1 to the line of that product, or fills the first empty line, or adds
//   a line.
// Unknown codes are shown in red and beep (WebAudio). Codes not found on the
// page are asked of the server (data-lookup-url), which knows every barcode.
(function () {
  "use strict";

  var audio = null;
  function beep(ok) {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      audio = audio || new Context();
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.type = ok ? "sine" : "square";
      oscillator.frequency.value = ok ? 1320 : 220;
      gain.gain.value = ok ? 0.04 : 0.12;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + (ok ? 0.06 : 0.25));
    } catch (error) {
      // No sound is no reason to stop scanning.
    }
  }

  function normal(code) {
    code = code.trim();
    if (/^[0-9]{1,14}$/.test(code)) return ("00000000000000" + code).slice(-14);
    return code.toLowerCase();
  }

  function Scanner(box) {
    this.box = box;
    this.input = box.querySelector("[data-scan-input]");
    this.status = box.querySelector("[data-scan-status]");
    this.root = document.querySelector(box.dataset.scanTarget) || document;
    this.mode = box.dataset.scanMode || "rows";
    this.url = box.dataset.lookupUrl;
    this.texts = box.dataset;
    box.hidden = false;
    var self = this;
    this.input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();  // never submit the form around the box
      self.take();
    });
    var add = box.querySelector("[data-scan-add]");
    if (add) add.addEventListener("click", function () { self.take(); });
    var camera = box.querySelector("[data-scan-camera]");
    if (camera && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
      camera.hidden = false;
      camera.addEventListener("click", function () { self.camera(camera); });
    }
    this.input.focus();
  }

  // Phones: read a barcode with the camera (vendored @zxing/browser, loaded on
  // the first tap); each code read is taken like a scanner's.
  Scanner.prototype.camera = function (button) {
    var self = this;
    if (this.controls) {
      this.controls.stop();
      this.controls = null;
      this.video.hidden = true;
      button.setAttribute("aria-pressed", "false");
      return;
    }
    loadScript(button.dataset.src, function () {
      var video = self.video || document.createElement("video");
      video.className = "scan__video";
      video.setAttribute("playsinline", "");
      video.hidden = false;
      self.video = video;
      self.box.appendChild(video);
      var reader = new window.ZXingBrowser.BrowserMultiFormatReader();
      var last = "";
      reader
        .decodeFromVideoDevice(undefined, video, function (result) {
          if (!result || result.getText() === last) return;
          last = result.getText();
          setTimeout(function () { last = ""; }, 1500);  // the same item again
          self.input.value = last;
          self.take();
        })
        .then(function (controls) {
          self.controls = controls;
          button.setAttribute("aria-pressed", "true");
        })
        .catch(function () {
          video.hidden = true;
          self.say(self.texts.cameraText, "error");
        });
    }, function () { self.say(self.texts.cameraText, "error"); });
  };

  function loadScript(src, done, failed) {
    if (window.ZXingBrowser) return done();
    var script = document.createElement("script");
    script.src = src;
    script.onload = done;
    script.onerror = failed;
    document.head.appendChild(script);
  }

  Scanner.prototype.say = function (text, kind) {
    this.status.textContent = text;
    this.box.classList.remove("scan--ok", "scan--error", "scan--warn");
    this.box.classList.add("scan--" + kind);
    beep(kind === "ok");
  };

  Scanner.prototype.take = function () {
    var code = this.input.value.trim();
    this.input.value = "";
    this.input.focus();
    if (!code) return;
    if (this.mode === "rows") {
      var row = this.rowFor(normal(code));
      if (row) return this.count(row, code);
    }
    this.lookup(code);
  };

  Scanner.prototype.rowFor = function (wanted) {
    var rows = this.root.querySelectorAll("[data-codes]");
    for (var i = 0; i < rows.length; i++) {
      var codes = rows[i].dataset.codes.split(" ").map(normal);
      if (codes.indexOf(wanted) !== -1) return rows[i];
    }
    return null;
  };

  Scanner.prototype.lookup = function (code) {
    var self = this;
    fetch(this.url + "?code=" + encodeURIComponent(code), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) { return response.json(); })
      .then(function (found) {
        if (!found.found) {
          return self.say(self.texts.unknownText.replace("{code}", code), "error");
        }
        if (self.mode === "lines") return self.line(found);
        var row = self.rowFor(normal(found.sku));
        if (row) return self.count(row, found.sku);
        if (self.root.querySelector("[data-scan-extra]")) return self.extra(found);
        self.say(self.texts.notHereText.replace("{code}", found.sku), "error");
      })
      .catch(function () {
        self.say(self.texts.offlineText, "error");
      });
  };

  function bump(input, row) {
    var max = input.max === "" ? Infinity : parseInt(input.max, 10);
    var now = parseInt(input.value, 10) || 0;
    if (now + 1 > max) return false;
    input.value = now + 1;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    if (row) {
      row.classList.remove("row--scanned");
      void row.offsetWidth;  // restart the highlight
      row.classList.add("row--scanned");
      row.scrollIntoView({ block: "nearest" });
    }
    return true;
  }

  Scanner.prototype.count = function (row, code) {
    var input = row.querySelector("[data-scan-qty]");
    var sku = row.dataset.codes.split(" ")[0];
    if (!input) return this.say(this.texts.doneText.replace("{code}", sku), "warn");
    if (!bump(input, row)) {
      return this.say(this.texts.fullText.replace("{code}", sku).replace("{count}", input.max), "warn");
    }
    this.say(sku + " · " + input.value, "ok");
    this.box.dispatchEvent(new CustomEvent("scan:counted", { bubbles: true }));
  };

  // Transfers: the formset's SKU + quantity rows.
  Scanner.prototype.line = function (found) {
    var rows = Array.prototype.slice.call(this.root.querySelectorAll("[data-line]"));
    var sku = found.sku.toLowerCase();
    var hit = rows.filter(function (row) {
      return row.querySelector("[name$='-sku']").value.trim().toLowerCase() === sku;
    })[0];
    if (!hit) {
      hit = rows.filter(function (row) {
        return !row.querySelector("[name$='-sku']").value.trim();
      })[0] || addLine(this.root);
      if (!hit) return this.say(this.texts.fullText.replace("{code}", found.sku).replace("{count}", rows.length), "warn");
      hit.querySelector("[name$='-sku']").value = found.sku;
    }
    bump(hit.querySelector("[name$='-quantity']"), hit);
    this.say(found.sku + " · " + hit.querySelector("[name$='-quantity']").value, "ok");
  };

  // Counts: a product found that is not on the sheet gets a row of its own.
  Scanner.prototype.extra = function (found) {
    var list = this.root.querySelector("[data-scan-extra]");
    var template = document.getElementById(list.dataset.scanExtra);
    var row = template.content.firstElementChild.cloneNode(true);
    row.dataset.codes = found.sku;
    row.querySelector("[data-cell='sku']").textContent = found.sku;
    row.querySelector("[data-cell='name']").textContent = found.name;
    row.querySelector("input[name='extra_sku']").value = found.sku;
    list.appendChild(row);
    this.count(row, found.sku);
  };

  // A formset's next empty line, cloned from its last one (management form kept
  // right); null when the formset is full.
  function addLine(root) {
    var form = root.closest("form") || document;
    var total = form.querySelector("input[name$='-TOTAL_FORMS']");
    var most = form.querySelector("input[name$='-MAX_NUM_FORMS']");
    var rows = root.querySelectorAll("[data-line]");
    var count = parseInt(total.value, 10);
    if (most && count >= parseInt(most.value, 10)) return null;
    var last = rows[rows.length - 1];
    var row = last.cloneNode(true);
    var from = new RegExp("-" + (count - 1) + "-", "g");
    row.querySelectorAll("input, label, select").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(from, "-" + count + "-"));
      });
      if (el.tagName === "INPUT") { el.value = ""; el.removeAttribute("aria-invalid"); }
    });
    row.querySelectorAll(".field__error").forEach(function (el) { el.remove(); });
    var number = row.querySelector(".line-row__number");
    if (number) number.textContent = count + 1;
    last.parentNode.insertBefore(row, last.nextSibling);
    total.value = count + 1;
    return row;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("scan-ready");
    document.querySelectorAll("[data-scan]").forEach(function (box) { new Scanner(box); });
    document.querySelectorAll("[data-add-line]").forEach(function (button) {
      var root = document.querySelector(button.dataset.addLine);
      button.hidden = false;
      button.addEventListener("click", function () {
        var row = addLine(root);
        if (row) row.querySelector("input").focus();
      });
    });
  });
})();
