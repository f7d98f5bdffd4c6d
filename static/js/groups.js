// "Use my location" on the group search: offered only when the browser can, and the browser's
// location is read only when the person presses the button. Without JavaScript the page works by postcode.
(() => {
  const button = document.getElementById("use-location");
  const form = document.getElementById("group-search");
  if (!button || !form || !("geolocation" in navigator)) return;
  button.closest(".village-js-only").hidden = false;
  const status = document.getElementById("location-status");
  button.addEventListener("click", () => {
    status.textContent = "Finding your location…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.elements.lat.value = position.coords.latitude.toFixed(4);
        form.elements.lon.value = position.coords.longitude.toFixed(4);
        form.elements.postcode.value = "";
        form.elements.venue.value = "";
        form.submit();
      },
      () => { status.textContent = "We could not get your location. Enter a postcode instead."; },
      { timeout: 10000, maximumAge: 600000 },
    );
  });
})();
