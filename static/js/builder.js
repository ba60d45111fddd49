// The campaign builder: live text counters, targeting picks from search results, image picks.
// No inline scripts: behaviour hangs on data- attributes, and re-binds after HTMX swaps.
(function () {
  "use strict";

  function counters(root) {
    root.querySelectorAll("[data-counter]").forEach(function (input) {
      var note = input.parentElement.querySelector(".counter");
      if (!note) {
        note = document.createElement("small");
        note.className = "counter";
        input.insertAdjacentElement("afterend", note);
      }
      var update = function () {
        var n = input.value.length, max = +input.dataset.counter, rec = +input.dataset.recommended;
        note.textContent = n + " / " + max + (n > rec ? " (Meta may cut text after " + rec + ")" : "");
        note.classList.toggle("field-error", n > max);
      };
      input.addEventListener("input", update);
      update();
    });
  }

  function listOf(input) {
    try { var v = JSON.parse(input.value || "[]"); return Array.isArray(v) ? v : []; }
    catch (e) { return []; }
  }

  function chips(root) {
    root.querySelectorAll("[data-chips]").forEach(function (box) {
      var input = root.querySelector("input[name='" + box.dataset.chips + "']");
      if (!input) { return; }
      box.textContent = "";
      listOf(input).forEach(function (item, i) {
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "chip outline small";
        chip.textContent = (item.name || item.key || item.id) + " ×";
        chip.dataset.removeFrom = input.name;
        chip.dataset.index = i;
        box.appendChild(chip);
      });
    });
  }

  function changed(el) {
    var form = el.closest("form");
    if (form) { form.dispatchEvent(new Event("change", { bubbles: true })); }
  }

  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-pick-id]");
    if (pick) {
      var form = document.querySelector("[data-testid='form-adset']");
      if (!form) { return; }
      var kind = pick.dataset.pickKind, type = pick.dataset.pickType;
      if (kind === "location" && type === "country") {
        var countries = form.querySelector("input[name='countries']");
        var codes = countries.value.split(",").map(function (c) { return c.trim(); }).filter(Boolean);
        if (codes.indexOf(pick.dataset.pickId) < 0) { codes.push(pick.dataset.pickId); }
        countries.value = codes.join(", ");
        changed(countries);
        return;
      }
      var field = kind === "interest" ? "interests" : kind === "audience" ? "custom_audiences"
        : (type === "city" ? "cities" : "regions");
      var input = form.querySelector("input[name='" + field + "']");
      var items = listOf(input);
      var item = (kind === "interest" || kind === "audience")
        ? { id: pick.dataset.pickId, name: pick.dataset.pickName }
        : { key: pick.dataset.pickId, name: pick.dataset.pickName, country: pick.dataset.pickCountry };
      if (!items.some(function (i) { return (i.id || i.key) === pick.dataset.pickId; })) { items.push(item); }
      input.value = JSON.stringify(items);
      changed(input);
      return;
    }
    var remove = event.target.closest("[data-remove-from]");
    if (remove) {
      var target = document.querySelector("input[name='" + remove.dataset.removeFrom + "']");
      var list = listOf(target);
      list.splice(+remove.dataset.index, 1);
      target.value = JSON.stringify(list);
      changed(target);
    }
  });

  document.addEventListener("change", function (event) {
    var image = event.target.closest("[data-pick-image]");
    if (image) {
      var hash = image.closest("form").querySelector("input[name='image_hash']");
      if (hash) { hash.value = image.dataset.pickImage; }
    }
  }, true);

  function bind(root) { counters(root); chips(root); }
  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSwap", function (event) { bind(event.target); });
})();
