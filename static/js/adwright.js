// Adwright's page behaviour, wired through data- attributes (the Content-Security-Policy allows no
// inline script or event handler).
(function () {
  "use strict";

  function selectOnClick(event) {
    var field = event.target.closest("[data-select-on-click]");
    if (field && typeof field.select === "function") {
      field.select();
    }
  }

  document.addEventListener("click", selectOnClick);
})();
