// Small helpers for the staff UI; no external dependencies. Pages carry no inline script (the
// Content-Security-Policy forbids it): behaviour is declared with data attributes handled here.

// data-confirm on a button or link: ask before acting. On a form: ask before it is submitted.
document.addEventListener("click", function (event) {
  const el = event.target.closest("[data-confirm]");
  if (el && el.tagName !== "FORM" && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopPropagation();
  }
});
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopPropagation();
  }
});

// data-autosubmit on a select: submit its form on change; data-clear="field" empties that field first.
document.addEventListener("change", function (event) {
  const el = event.target;
  if (!el.matches || !el.matches("[data-autosubmit]") || !el.form) return;
  const clear = el.getAttribute("data-clear");
  if (clear && el.form.elements[clear]) el.form.elements[clear].value = "";
  el.form.submit();
});

// data-select-all="name" on a checkbox: tick or untick every checkbox of that name in the form.
document.addEventListener("change", function (event) {
  const el = event.target;
  if (!el.matches || !el.matches("input[data-select-all]")) return;
  const name = el.getAttribute("data-select-all");
  el.closest("form").querySelectorAll("input[type=checkbox]").forEach(function (c) {
    if (c.name === name) c.checked = el.checked;
  });
});

// data-toggle-open="id": toggle the "open" class of that element. data-print: print the page.
document.addEventListener("click", function (event) {
  const toggle = event.target.closest("[data-toggle-open]");
  if (toggle) {
    const target = document.getElementById(toggle.getAttribute("data-toggle-open"));
    if (target) target.classList.toggle("open");
  }
  if (event.target.closest("[data-print]")) window.print();
});

// Logged reveals answered by JSON (hx-swap="none"): fill the page from the answer.
document.addEventListener("htmx:afterRequest", function (event) {
  const el = event.detail.elt;
  if (!el || !el.hasAttribute || !event.detail.successful) return;
  if (el.hasAttribute("data-reveal-person")) {
    const d = JSON.parse(event.detail.xhr.responseText);
    document.getElementById("idno").textContent = d.id_number;
    document.getElementById("phone").textContent = d.phone || "—";
    el.remove();
  } else if (el.hasAttribute("data-reveal-position")) {
    const d = JSON.parse(event.detail.xhr.responseText);
    const span = document.createElement("span");
    span.textContent = d.latitude + ", " + d.longitude + (d.accuracy_m ? " ±" + Math.round(d.accuracy_m) + "m" : "") + (d.outside_county ? " ⚠" : "");
    el.replaceWith(span);
  }
});
