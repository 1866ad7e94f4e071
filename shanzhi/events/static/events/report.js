// 上报事件 (G3): a client-generated key makes a double tap or a retry idempotent; "use my location" fills the
// coordinates from the device; the submit button is disabled while the form is being sent.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var key = document.getElementById("ev_client_key");
  // One key per loaded form: a resent request (double tap, retry) carries the same key; a new form a new one.
  if (window.crypto && window.crypto.randomUUID) {
    key.value = window.crypto.randomUUID();
  }
  var pick = document.querySelector("[data-autosubmit]");
  if (pick) pick.addEventListener("change", function () { pick.form.submit(); });
  var status = document.getElementById("ev_locate_status");
  document.getElementById("ev_locate").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = "此设备不支持定位，请填写地址。"; return; }
    status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("ev_lat").value = pos.coords.latitude.toFixed(6);
      document.getElementById("ev_lng").value = pos.coords.longitude.toFixed(6);
      status.textContent = "已定位（精度约 " + Math.round(pos.coords.accuracy) + " 米）";
    }, function () {
      status.textContent = "定位失败，请填写地址。";
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  });
  var sending = false;
  form.addEventListener("submit", function (e) {
    if (sending) { e.preventDefault(); return; }
    sending = true;
    document.getElementById("ev_submit").disabled = true;
  });
})();
