// Behaviour shared by every page; no inline scripts so a strict Content-Security-Policy holds.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.classList.contains("js-autosubmit")) {
    target.form.submit();
  }
});

// Error summary (templates/includes/error_summary.html): read first after a refused submit, and
// each link moves the focus to its field, not just the scroll position.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("[data-error-link]") : null;
  if (!link) {
    return;
  }
  const field = document.getElementById(link.getAttribute("href").slice(1));
  if (field) {
    event.preventDefault();
    const wrapper = field.closest(".mb-3, .form-check, fieldset") || field;
    wrapper.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  }
});
