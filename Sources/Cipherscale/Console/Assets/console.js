// Cipherscale Directory console: optional enhancements; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Ask before destructive posts (forms marked data-confirm).
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
  // Live search: submit the filter form shortly after typing stops.
  const search = document.querySelector("input[data-live-search]");
  if (search && search.form) {
    let timer;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const length = search.value.trim().length;
        if (length === 0 || length >= 3) search.form.requestSubmit();
      }, 400);
    });
    const end = search.value.length;
    if (end > 0 && document.activeElement === document.body) {
      search.focus();
      search.setSelectionRange(end, end);
    }
  }
});
