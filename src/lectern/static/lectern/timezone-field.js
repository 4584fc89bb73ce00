// Fill the registration form's hidden time-zone field with the browser's zone.
document.querySelectorAll('input[name="timezone"]').forEach(function (el) {
  if (!el.value) {
    el.value = Intl.DateTimeFormat().resolvedOptions().timeZone;
  }
});
