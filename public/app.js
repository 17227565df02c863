// Demo page for the sign_playback_id function: plays ?playbackId=ID through
// the function, with a signed poster, using native HLS where the browser has
// it and hls.js elsewhere (vendor/hls.min.js, else the same pinned release
// from a CDN, checked by Subresource Integrity). It reports what happens in
// #status and in document.body.dataset.state: idle, loading, playing, error.
// When playback fails it asks the function why (token-info.js tells a token of
// make dev's throwaway development key from a real one).
(function () {
  'use strict';

  var FUNCTION_URL = '/.netlify/functions/sign_playback_id';
  var HLS_JS = 'vendor/hls.min.js';
  var ID_PATTERN = /^[A-Za-z0-9]{1,128}$/;
  var HLS_TYPE = 'application/vnd.apple.mpegurl';

  var params = new URLSearchParams(window.location.search);
  var id = (params.get('playbackId') || '').trim();
  var forced = params.get('player'); // "native", "hlsjs" or null (choose)
  var video = document.getElementById('video');
  var status = document.getElementById('status');

  function setState(state, message) {
    document.body.dataset.state = state;
    status.className = 'status ' + state;
    status.textContent = message;
  }

  function fnURL(extra) {
    return FUNCTION_URL + '?playbackId=' + encodeURIComponent(id) + (extra || '');
  }

  // explain asks the function for this ID as JSON: a 400, 401, 403 or 500
  // from it carries the reason, which the player's own error never does. It
  // resolves to { lead, detail }: lead, when set, replaces the player's error
  // as the first thing the viewer reads.
  function explain() {
    var timeout = new Promise(function (resolve) { setTimeout(resolve, 3000, { lead: '', detail: '' }); });
    var ask = fetch(fnURL('&response=json'), { headers: { Accept: 'application/json' } })
      .then(function (res) {
        return res.json().then(function (body) {
          var said = !res.ok && body && body.errors && body.errors[0] && body.errors[0].message;
          if (said) {
            var detail = 'The function answers ' + res.status + ': ' + said;
            if (res.status === 401) return { lead: 'Sign in to watch.', detail: detail };
            if (res.status === 403) return { lead: 'This video is not available to you.', detail: detail };
            return { lead: '', detail: detail };
          }
          var playback = body && body.tokens && body.tokens.playback;
          if (res.ok && window.MuxTokenInfo && window.MuxTokenInfo.isDevKeyToken(playback)) {
            return {
              lead: 'This token was signed with the throwaway development key: set MUX_SIGNING_KEY and ' +
                'MUX_PRIVATE_KEY (or .env) to play real videos.',
              detail: 'Mux knows only keys made in your Mux account, so it refuses every token of the key ' +
                '`make dev` invents when no key is configured. The playback ID may be fine.'
            };
          }
          return {
            lead: '',
            detail: 'The function signs tokens for this ID, so Mux (or the network) refused the signed URL: ' +
              'check that the playback ID exists, has a signed playback policy, and that the signing key ' +
              'belongs to the same Mux environment. ' +
              "Run `sign_playback_id verify 'SIGNED_URL'` on the stream link below to see what Mux would say."
          };
        });
      })
      .catch(function () { return { lead: '', detail: '' }; });
    return Promise.race([ask, timeout]);
  }

  var failed = false;
  function fail(message) {
    if (failed) return;
    failed = true;
    status.textContent = message + ' (asking the function why…)';
    explain().then(function (why) {
      var parts = why.lead ? [why.lead, why.detail, '(' + message + ')'] : [message, why.detail];
      setState('error', parts.filter(Boolean).join(' '));
    });
  }

  function mediaError(err) {
    if (!err) return 'unknown error';
    var names = { 1: 'aborted', 2: 'network error', 3: 'decoding error', 4: 'source not supported or refused (a 403 looks like this)' };
    return (names[err.code] || 'error ' + err.code) + (err.message ? ' (' + err.message + ')' : '');
  }

  function playNative(src) {
    setState('loading', 'Loading with the browser\'s own HLS support…');
    video.src = src;
    autoplay();
  }

  function autoplay() {
    var p = video.play();
    if (p && p.catch) {
      p.catch(function (err) {
        if (!failed && err && err.name === 'NotAllowedError') {
          setState('idle', 'Ready: press play.');
        }
      });
    }
  }

  // Where hls.js comes from: the site's own copy first, then the same pinned
  // release from a CDN, checked against its hash (Subresource Integrity).
  var HLS_JS_CDN = {
    src: 'https://cdn.jsdelivr.net/npm/hls.js@1.7.4/dist/hls.min.js',
    integrity: 'sha384-p9vgU/7IYJWd3I4STrtqxqR/2cAQlhIX7D/HrTnIMEjjcUox165b7se7sxmm3zDg'
  };

  function playHlsJs(src) {
    setState('loading', 'Loading hls.js…');
    var script = document.createElement('script');
    script.src = HLS_JS;
    script.onerror = function () {
      var cdn = document.createElement('script');
      cdn.src = HLS_JS_CDN.src;
      cdn.integrity = HLS_JS_CDN.integrity;
      cdn.crossOrigin = 'anonymous';
      cdn.onload = script.onload;
      cdn.onerror = function () {
        failed = true;
        setState('error', 'This browser needs hls.js to play HLS, and neither ' + HLS_JS + ' nor ' +
          HLS_JS_CDN.src + ' could be loaded. Copy hls.js\'s dist/hls.min.js into public/vendor/ ' +
          '(see public/vendor/README.md for the pinned release).');
      };
      document.head.appendChild(cdn);
    };
    script.onload = function () {
      var Hls = window.Hls;
      if (!Hls || !Hls.isSupported()) {
        failed = true;
        setState('error', 'This browser cannot play HLS: it has no native HLS support and hls.js is not supported here (no Media Source Extensions).');
        return;
      }
      var hls = new Hls();
      hls.on(Hls.Events.ERROR, function (event, data) {
        if (!data.fatal) return; // hls.js recovers from these itself
        var code = data.response && data.response.code;
        hls.destroy();
        fail('Playback failed: hls.js ' + data.type + ' ' + data.details +
          (code ? ' (HTTP ' + code + ')' : '') + '.');
      });
      hls.on(Hls.Events.MANIFEST_PARSED, autoplay);
      setState('loading', 'Loading with hls.js ' + (Hls.version || '') + '…');
      hls.loadSource(src);
      hls.attachMedia(video);
    };
    document.head.appendChild(script);
  }

  function start() {
    if (!id) {
      setState('idle', 'Enter the playback ID of a Mux asset with a signed playback policy.');
      return;
    }
    document.getElementById('playbackId').value = id;
    if (!ID_PATTERN.test(id)) {
      setState('error', 'That is not a playback ID: Mux playback IDs are ASCII letters and digits.');
      return;
    }
    var src = fnURL();
    var links = document.getElementById('links');
    document.getElementById('link-video').href = src;
    document.getElementById('link-poster').href = fnURL('&type=thumbnail');
    document.getElementById('link-json').href = fnURL('&response=json');
    links.hidden = false;

    var native = video.canPlayType(HLS_TYPE) !== '';
    var usingHlsJs = forced === 'hlsjs' || (forced !== 'native' && !native);

    video.poster = fnURL('&type=thumbnail');
    video.addEventListener('playing', function () {
      if (!failed) setState('playing', 'Playing ' + id + (usingHlsJs ? ' with hls.js.' : ' with the browser\'s own HLS support.'));
    });
    video.addEventListener('error', function () {
      fail('The video could not play: ' + mediaError(video.error) + '.');
    });

    if (usingHlsJs) {
      playHlsJs(src);
    } else {
      playNative(src);
    }
  }

  start();
})();
