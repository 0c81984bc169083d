// A location <select> (data-warehouse-field="<name>") offers only the
// locations of the warehouse chosen in the form's <select name="<name>">.
// The form refuses a location of another warehouse anyway; this keeps staff
// from choosing one.
(function () {
  "use strict";
  function follow(select) {
    var form = select.form;
    var warehouse = form && form.elements[select.dataset.warehouseField];
    if (!warehouse) return;
    function filter() {
      var chosen = warehouse.value;
      Array.prototype.forEach.call(select.options, function (option) {
        var own = option.dataset.warehouse;
        var hide = own !== undefined && own !== chosen;
        option.hidden = hide;
        option.disabled = hide;
        if (hide && option.selected) select.value = "";
      });
    }
    warehouse.addEventListener("change", filter);
    filter();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-warehouse-field]").forEach(follow);
  });
})();
