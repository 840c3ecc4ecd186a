// Behaviour shared by every page; no inline scripts so a strict Content-Security-Policy holds.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.classList.contains("js-autosubmit")) {
    target.form.submit();
  }
});
