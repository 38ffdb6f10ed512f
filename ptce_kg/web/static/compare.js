// Compare form: allow at most 5 PTCE to be ticked (the server also caps the list at 5).
(function () {
  "use strict";
  var form = document.getElementById("compare-form");
  if (!form) { return; }
  var boxes = form.querySelectorAll('input[type="checkbox"][name="ptce"]');
  function update() {
    var ticked = form.querySelectorAll('input[name="ptce"]:checked').length;
    boxes.forEach(function (box) { box.disabled = !box.checked && ticked >= 5; });
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
