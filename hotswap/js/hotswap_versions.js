// Running any loaded version on this thread. Every committed patch stays instantiated in
// every instance (the main thread's and each worker's), and the program's own functions are
// kept too (HotswapLinker.originals), so a thread can put its table in the state of any
// version still in effect and come back: what a comparison of two versions on one picture
// needs (a tile is rendered entirely by one version, each thread switching its own table).
//
// A version's table state is what this instance's table held right after the step that made
// it current: the program's slots, overwritten by every redirect committed up to it (patches
// are cumulative, and a rollback writes back what it undoes). Each instance records it as it
// commits, so all instances agree without a message. A rolled-back version is forgotten (its
// code stays loaded, unused); table reservations change no slot. A switch writes only the
// slots whose function differs between the two versions; that list is worked out once per
// pair and kept until the next commit.

mergeInto(LibraryManager.library, {
  $HotswapVersions__deps: ['$HotswapLinker', 'hotswap_detail_set_running_version'],
  $HotswapVersions__postset: 'HotswapVersions.states = new Map([[0, new Map()]]); HotswapVersions.inEffect = new Map(); ' +
                             'HotswapVersions.transitions = new Map();',
  $HotswapVersions: {
    committed: 0,       // the version this instance's commits put in effect (the newest)
    running: 0,         // the version its table holds now
    states: null,       // version -> Map(slot -> {name, version}): slots that differ from the program's
    inEffect: null,     // the same for the table as the commits left it
    transitions: null,  // "from to" -> {slots, codes}: what a switch between two versions writes

    // Before a commit: the table goes back to the committed version (a commit writes its
    // redirects on top of it).
    beforeCommit: function() {
      if (HotswapVersions.running !== HotswapVersions.committed) HotswapVersions.switchTo(HotswapVersions.committed);
    },

    // After a commit (a patch's, or a rollback's) of `plan`: records the new version's state.
    committedPlan: function(plan) {
      plan.redirects.forEach(function(redirect) {
        if (redirect.version) HotswapVersions.inEffect.set(redirect.slot, { name: redirect.name, version: redirect.version });
        else HotswapVersions.inEffect.delete(redirect.slot);  // the program's own function again
      });
      HotswapVersions.states.set(plan.version, new Map(HotswapVersions.inEffect));
      if (plan.rollsBack) HotswapVersions.states.delete(plan.rollsBack);
      HotswapVersions.committed = HotswapVersions.running = plan.version;
      HotswapVersions.transitions.clear();
    },

    // The versions this thread can run, in order.
    available: function() {
      return Array.from(HotswapVersions.states.keys()).sort(function(a, b) { return a - b; });
    },

    // What switching from one version's table to another's writes: each slot whose function
    // differs, with this instance's function for it.
    transition: function(from, to) {
      var key = from + ' ' + to;
      var known = HotswapVersions.transitions.get(key);
      if (known) return known;
      var fromState = HotswapVersions.states.get(from), toState = HotswapVersions.states.get(to);
      var slots = [], codes = [];
      var consider = function(slot) {
        var before = fromState.get(slot), after = toState.get(slot);
        if (before && after && before.name === after.name && before.version === after.version) return;
        var code = after ? HotswapLinker.own(HotswapLinker.patches[after.version] || {}, after.name) : HotswapLinker.originals[slot];
        if (!code) {
          throw HotswapLinker.failure('table_mismatch', 'switching to version ' + to + ': ' + (after ? after.name + ' of version ' +
            after.version : 'the program\'s function in slot ' + slot) + ' is not loaded in this instance');
        }
        slots.push(slot);
        codes.push(code);
      };
      fromState.forEach(function(entry, slot) { consider(slot); });
      toState.forEach(function(entry, slot) { if (!fromState.has(slot)) consider(slot); });
      known = { slots: slots, codes: codes };
      HotswapVersions.transitions.set(key, known);
      return known;
    },

    // Puts this thread's table in `version`'s state. False if this thread cannot run it (never
    // committed here, or rolled back).
    switchTo: function(version) {
      if (version === HotswapVersions.running) return true;
      if (!HotswapVersions.states.has(version)) return false;
      var transition = HotswapVersions.transition(HotswapVersions.running, version);
      // Through Emscripten's setter: its JS keeps a mirror of the table (invoke_* calls use it).
      for (var i = 0; i < transition.slots.length; ++i) setWasmTableEntry(transition.slots[i], transition.codes[i]);
      HotswapVersions.running = version;
      _hotswap_detail_set_running_version(version);
      return true;
    },
  },

  hotswap_js_run_version__deps: ['$HotswapVersions'],
  hotswap_js_run_version: function(version) {
    return HotswapVersions.switchTo(version) ? 1 : 0;
  },

  hotswap_js_can_run_version__deps: ['$HotswapVersions'],
  hotswap_js_can_run_version: function(version) {
    return HotswapVersions.states.has(version) ? 1 : 0;
  },
});
