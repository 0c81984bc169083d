// The alert rule form shows the limits of the kind chosen and the targets of
// the scope chosen (wrappers with data-for-kind / data-for-scope list the
// values they belong to). A kind no wrapper names shows every limit; the
// server clears and checks the fields either way.
(function () {
  "use strict";
  function follow(select, attribute) {
    var wrappers = document.querySelectorAll("[" + attribute + "]");
    function show() {
      var value = select.value;
      var known = Array.prototype.some.call(wrappers, function (w) {
        return w.getAttribute(attribute).split(" ").indexOf(value) !== -1;
      });
      wrappers.forEach(function (wrapper) {
        var mine = wrapper.getAttribute(attribute).split(" ").indexOf(value) !== -1;
        var hasError = wrapper.querySelector(".field--error") !== null;
        wrapper.hidden = known ? !mine && !hasError : attribute === "data-for-scope";
      });
    }
    select.addEventListener("change", show);
    show();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var kind = document.getElementById("id_kind");
    var scope = document.getElementById("id_scope");
    if (kind) follow(kind, "data-for-kind");
    if (scope) follow(scope, "data-for-scope");
  });
})();
