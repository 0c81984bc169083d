// The suggestion queue without the mouse: j/k move between rows, a approves,
// r rejects (with the note), e edits the quantity, x selects; and the page's
// select-all box. The page works without this script: every action is a
// submit button of the one form.
(function () {
  "use strict";
  // On a phone the filters fold away unless one is in use.
  var filtersBox = document.getElementById("filters-box");
  if (filtersBox && window.innerWidth < 700 && !/[?&](supplier|warehouse|abc_class|stockout_by|q)=[^&]/.test(location.search)) {
    filtersBox.open = false;
  }
  var form = document.getElementById("queue");
  if (!form) return;
  var rows = Array.prototype.slice.call(form.querySelectorAll("tbody tr[data-id]"));
  var note = document.getElementById("queue-note");
  var selectPage = document.getElementById("select-page");
  var selectAll = document.getElementById("select-all");
  var counter = document.getElementById("selected-count");
  var current = -1;
  var pendingReject = null;

  function boxes() {
    return rows.map(function (row) { return row.querySelector("input[name=selected]"); });
  }

  function updateCount() {
    var ticked = boxes().filter(function (box) { return box.checked; }).length;
    if (selectAll.checked) {
      counter.textContent = form.dataset.total + " \u2714";
    } else {
      counter.textContent = ticked ? ticked + " \u2714" : "";
    }
    selectPage.checked = ticked === rows.length && rows.length > 0;
    selectPage.indeterminate = ticked > 0 && ticked < rows.length;
  }

  function move(to) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, to));
    rows.forEach(function (row, i) {
      row.classList.toggle("is-current", i === current);
      row.setAttribute("aria-current", i === current ? "true" : "false");
    });
    rows[current].focus({ preventScroll: false });
  }

  function press(row, key) {
    var button = row.querySelector("button[data-key=" + key + "]");
    if (button) form.requestSubmit(button);
  }

  function reject(row) {
    if (note.value.trim()) {
      press(row, "r");
      return;
    }
    pendingReject = row;
    note.focus();
    note.setAttribute("aria-invalid", "true");
  }

  selectPage.addEventListener("change", function () {
    boxes().forEach(function (box) { box.checked = selectPage.checked; });
    if (!selectPage.checked) selectAll.checked = false;
    updateCount();
  });
  selectAll.addEventListener("change", function () {
    if (selectAll.checked) {
      boxes().forEach(function (box) { box.checked = true; });
    }
    updateCount();
  });
  rows.forEach(function (row, i) {
    row.addEventListener("focusin", function () {
      if (current !== i) {
        current = i;
        rows.forEach(function (r, j) { r.classList.toggle("is-current", j === i); });
      }
    });
    row.querySelector("input[name=selected]").addEventListener("change", function () {
      if (!this.checked) selectAll.checked = false;
      updateCount();
    });
    var qty = row.querySelector("input.qty");
    qty.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        press(row, "a");
      } else if (event.key === "Escape") {
        row.focus();
      }
    });
  });
  note.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      if (pendingReject && note.value.trim()) press(pendingReject, "r");
    } else if (event.key === "Escape" && current >= 0) {
      pendingReject = null;
      rows[current].focus();
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.matches && target.matches("input, textarea, select");
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    var row = rows[current];
    switch (event.key) {
      case "j": move(current + 1); break;
      case "k": move(current - 1); break;
      case "a": if (row) press(row, "a"); break;
      case "r": if (row) reject(row); break;
      case "e":
        if (row) {
          var qty = row.querySelector("input.qty");
          qty.focus();
          qty.select();
        }
        break;
      case "x":
        if (row) {
          var box = row.querySelector("input[name=selected]");
          box.checked = !box.checked;
          box.dispatchEvent(new Event("change"));
        }
        break;
      default: return;
    }
    event.preventDefault();
  });
  updateCount();
})();
