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

// The navigation bar expands from xl (1200 px) where its labels fit. In a language with longer
// labels (Russian, French ...) a crowded role's bar is wider than the screen: it then stays
// collapsed behind the toggler instead of pushing the page sideways. Measured again on resize.
(() => {
  const navbar = document.querySelector("nav.gte-navbar");
  const container = navbar ? navbar.querySelector(".container-xxl") : null;
  if (!container) {
    return;
  }
  const fit = () => {
    navbar.classList.add("navbar-expand-xl");
    if (container.scrollWidth > container.clientWidth + 1) {
      navbar.classList.remove("navbar-expand-xl");
    }
  };
  fit();
  window.addEventListener("resize", fit);
})();
