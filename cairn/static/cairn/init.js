// Progressive enhancement only: every page works without this file.
window.DS.initAll();
