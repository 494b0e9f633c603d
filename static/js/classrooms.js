// Ask before destructive roster actions (forms marked data-confirm); without JS the action simply runs.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
