// The classic bridge to the module worker /worker.js (README: How the pieces fit): installed phones still check /sw.js as a classic
// script, so this only hands over: it drops the old shell caches and reopens the windows from the network. No fetch
// handler: while it is in charge, every file comes from the network.
const bridge = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

bridge.addEventListener('install', () => bridge.skipWaiting());

bridge.addEventListener('activate', (event) => {
  const handedOver = caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('bc-shell-')).map((k) => caches.delete(k))))
    .then(() => bridge.clients.claim());
  event.waitUntil(handedOver);
  // To the start page, as a launch would (a window's url is where it was opened). Not waited for: a navigation
  // waits for this worker to activate.
  handedOver
    .then(() => bridge.clients.matchAll({ type: 'window' }))
    .then((windows) => windows.forEach((client) => client.navigate('/').catch(() => {})));
});
