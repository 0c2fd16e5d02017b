// The frame loop's fault recovery (see frame_loop.h). Two kinds of fault:
// - A failure: a worker task (or, with zero workers, a main-thread slice) that trapped or
//   threw. Once: replace the worker and finish its half-done tiles elsewhere, so the frame
//   completes as if nothing happened. Twice in one frame: the code is at fault: roll back the
//   newest patch, or with nothing to roll back pause until the next patch, and start the
//   frame over.
// - A stall: a worker that has made no progress for kStalledAfterMs (an endless loop in the
//   code it runs). It takes no message, so wwm kills it, and it is replaced. Its tiles are
//   not finished elsewhere: the same pixels would hang the helper. If it ran the newest
//   patch, that patch is to blame: it is rolled back on every thread before the
//   replacement starts (so the replacement never gets it) and the frame starts over. In the
//   program's own code (no patch in effect): rendering pauses until the next patch. In code
//   a later patch or a rollback has replaced already: it is only replaced.
// - The main thread stuck (a loop in scene loading it reruns after a patch): nothing on it
//   runs any more, so nothing can be recovered; the workers, which watch its heartbeat, tell
//   the terminal why the page froze.
#include <emscripten/emscripten.h>
#include <emscripten/eventloop.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>

#include "frame_loop.h"
#include "hotswap.h"
#include "wwm.h"

namespace raytracer::web {
namespace {

constexpr int kFailuresThatBlameTheCode = 2;  // failures in one frame
constexpr double kWatchdogPeriodMs = 250;
// A worker running one task with no progress (a row of pixels, frame_job.cpp) for this long
// is stuck: noticed within kStalledAfterMs + 2 periods (the watchdog sees a stall start at
// its first look after it). A row that takes longer counts as stuck too (docs/ARCHITECTURE.md,
// "Stuck workers").
constexpr double kStalledAfterMs = 2000;
constexpr double kOrphanedAfterMs = 1000;     // a frame without progress this long is looked into
constexpr std::size_t kFailedWorkersShown = 4;  // failed workers kept in the worker table
constexpr double kMainThreadStalledAfterMs = 3000;  // no watchdog look for this long: the main thread is stuck

// The main thread's heartbeat, bumped at each watchdog look; workers watch it. While the page
// is hidden the browser throttles its timers, so a still heartbeat means nothing then.
std::atomic<std::uint32_t> main_thread_heartbeat{0};
std::atomic<std::uint32_t> page_hidden{0};
std::atomic<std::uint32_t> stall_reported_at_beat{0};  // 1 + the heartbeat a worker reported a stall at

EM_JS(void, js_note_page_visibility, (), {
  document.addEventListener('visibilitychange', function() { _raytracer_detail_set_page_hidden(document.hidden ? 1 : 0); });
});

// A worker: every half second, whether the main thread is stuck; one worker tells the terminal.
EM_JS(void, js_watch_main_thread, (double stalled_after_seconds), {
  setInterval(function() {
    var version = _raytracer_detail_main_thread_stuck();
    if (version < 0) return;
    var text = 'the main thread has not run for ' + stalled_after_seconds + ' s: code it runs loops (scene loading, which a patch that ' +
               'changed it runs again; everything, with zero workers), on ' + (version ? 'patch ' + version + "'s code" : 'the program as built') +
               '. The page cannot recover by itself: save a fix, then reload the page (it applies every patch, the fix last, ' +
               'before its first frame).';
    fetch('/api/report', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                           body: JSON.stringify({ kind: HotswapPatchFormat.report_kinds.problem, title: 'The page froze', text: text }) })
      .catch(function() {});
  }, 500);
});
EM_JS(void, js_report_problem, (const char* title, const char* text), {
  if (globalThis.RaytracerPage && RaytracerPage.reportProblem) RaytracerPage.reportProblem(UTF8ToString(title), UTF8ToString(text));
});

// wwm keeps a failed worker's record (the worker table shows it) until it is terminated.
void forget_old_failed_workers() {
  std::vector<wwm::WorkerId> failed;
  for (const wwm::WorkerInfo& info : wwm::workers()) {
    if (info.status == wwm::WorkerStatus::Failed) failed.push_back(info.id);
  }
  for (std::size_t i = 0; i + kFailedWorkersShown < failed.size(); ++i) wwm::terminate(failed[i]);
}

std::string seconds(double milliseconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", milliseconds / 1000.0);
  return text;
}

}  // namespace

void FrameLoop::report_problem_to_page(const std::string& title, const std::string& text) {
  js_report_problem(title.c_str(), text.c_str());
}

void FrameLoop::start_watchdog() {
  if (!watchdog_started_) {
    watchdog_started_ = true;
    js_note_page_visibility();
  }
  emscripten_set_timeout([](void*) { FrameLoop::instance().check_progress(); }, kWatchdogPeriodMs, nullptr);
}

void watch_main_thread_from_this_worker() { js_watch_main_thread(kMainThreadStalledAfterMs / 1000.0); }

void FrameLoop::check_progress() {
  main_thread_heartbeat.fetch_add(1);
  start_watchdog();  // the next look
  look_for_stuck_workers();
  finish_orphaned_tiles();
}

// Defence in depth. A worker that fails by trapping or throwing has stopped before its
// failure is handled, so frame_failed sees all its tiles. One stopped from outside (killed
// by the browser, say) may have claimed another tile meanwhile, or died between taking a
// tile and recording its claim: when a frame stalls, finish what such workers left, once.
void FrameLoop::finish_orphaned_tiles() {
  if (!frame_in_flight_ || !current_job_) return;
  const std::shared_ptr<FrameJob> job = current_job_;
  const double now = emscripten_get_now();
  if (job->frame_number != watched_frame_ || job->tiles_done.load() != watched_tiles_done_) {
    watched_frame_ = job->frame_number;
    watched_tiles_done_ = job->tiles_done.load();
    watched_since_ms_ = now;
  } else if (now - watched_since_ms_ > kOrphanedAfterMs) {
    std::vector<std::uint32_t> live{kMainThreadOwner};
    for (const PoolMember& member : pool_.members()) live.push_back(member.id.value);
    std::vector<std::uint32_t> orphaned = orphaned_tiles(*job, live);
    std::erase_if(orphaned, [&](std::uint32_t index) { return !job->reassigned.insert(index).second; });
    finish_elsewhere(job, std::move(orphaned));
    watched_since_ms_ = now;
  }
}

void FrameLoop::look_for_stuck_workers() {
  std::vector<StuckWorker> stuck;
  for (const wwm::WorkerInfo& info : wwm::workers()) {
    if (info.stalled_ms < kStalledAfterMs) continue;
    const PoolMember* member = pool_.find(info.id);
    stuck.push_back({info.id, member ? std::optional(member->counters->version.load()) : std::nullopt, info.stalled_ms});
  }
  if (!stuck.empty()) workers_stuck(stuck);
}

// "worker 3 made no progress for 2.1 s (an endless loop?) rendering pixels x 64-95, y 32-63
// of frame 12, on patch 4's code"
std::string FrameLoop::describe_stall(const StuckWorker& worker) const {
  std::string text = "worker " + std::to_string(worker.id.value) + " made no progress for " + seconds(worker.stalled_ms) +
                     " (an endless loop?)";
  if (current_job_) {
    const std::vector<std::uint32_t> tiles = unfinished_tiles_of(*current_job_, worker.id.value);
    if (!tiles.empty()) {
      const Tile& tile = current_job_->tiles[tiles.front()];
      text += " rendering pixels x " + std::to_string(tile.x0) + "-" + std::to_string(tile.x1 - 1) + ", y " + std::to_string(tile.y0) +
              "-" + std::to_string(tile.y1 - 1) + " of frame " + std::to_string(current_job_->frame_number);
    }
  }
  if (worker.version) text += *worker.version ? ", on patch " + std::to_string(*worker.version) + "'s code" : ", on the program's own code";
  return text;
}

void FrameLoop::workers_stuck(const std::vector<StuckWorker>& stuck) {
  const std::uint32_t newest = hotswap::current_version();
  std::string what;
  bool in_newest_code = false;  // a worker of the pool runs the code in effect now
  for (const StuckWorker& worker : stuck) {
    if (worker.version == newest) in_newest_code = true;
    what += (what.empty() ? "" : "; ") + describe_stall(worker);
  }
  // Before the replacements are spawned: they catch up on the patches in effect only.
  if (in_newest_code && newest > 0) {
    if (hotswap::roll_back_newest_patch(what, hotswap::RunningFault::Hung)) ++rollbacks_;
  } else if (in_newest_code) {
    paused_by_failures_ = true;
    report_problem_to_page("Rendering paused", what + ". No patch is in effect, so the program's own code does not finish there. "
                                               "The worker was replaced; save a fix: the next patch resumes rendering.");
  }
  for (const StuckWorker& worker : stuck) {
    ++stuck_workers_;
    killing_stuck_worker_ = worker.id;
    wwm::kill(worker.id, "stuck: " + describe_stall(worker));  // worker_failed replaces it
    killing_stuck_worker_.reset();
  }
  if (in_newest_code && frame_in_flight_) abandon_frame();
}

void FrameLoop::worker_failed(wwm::WorkerId worker, const std::string& reason) {
  const bool stuck = killing_stuck_worker_ == worker;
  ++worker_failures_;
  if (pool_.forget(worker)) {  // the presenter: its presents will never come
    last_presented_frame_ = last_completed_frame_;
    awaiting_present_[0] = awaiting_present_[1] = 0;
  }
  forget_old_failed_workers();
  // The replacement gets every patch in effect (hotswap's catch-up) before any task.
  const std::vector<PoolMember> spawned = pool_.resize(wanted_workers_, settings_.width, settings_.height);
  if (frame_in_flight_ && current_job_) {
    for (const PoolMember& member : spawned) post_frame_task(member, current_job_);  // to help with what is left
    // A stuck worker's tiles would hang whoever finished them: workers_stuck decides.
    if (!stuck) frame_failed(worker.value, "worker " + std::to_string(worker.value), reason);
  }
  schedule_next_frame();
}

void FrameLoop::main_thread_failed(const std::string& reason) {
  hotswap::run_this_thread_on_newest();  // the slice may have stopped in a tile of an older version
  if (frame_in_flight_ && current_job_) frame_failed(kMainThreadOwner, "the main thread", reason);
}

void FrameLoop::frame_failed(std::uint32_t owner, const std::string& who, const std::string& reason) {
  const std::shared_ptr<FrameJob> job = current_job_;
  if (++failures_in_frame_ >= kFailuresThatBlameTheCode) {
    const std::string why = who + " failed in frame " + std::to_string(job->frame_number) + " after another failure there: " + reason;
    if (comparison_) {  // either version may be at fault: the normal view judges the newest alone
      end_comparison("A frame comparing two versions failed twice (" + why + "); the page renders the newest version alone.");
      abandon_frame();
      return;
    }
    if (auto version = hotswap::roll_back_newest_patch(why, hotswap::RunningFault::Trapped)) {
      ++rollbacks_;
      report_problem_to_page("Patch rolled back", "The newest patch kept failing while it rendered (" + why +
                                                      "). Every thread is back on version " + std::to_string(*version) +
                                                      "; the frame starts over.");
    } else {
      paused_by_failures_ = true;
      report_problem_to_page("Rendering paused",
                             "The program fails in this frame (" + why + "). Save a fix: the next patch resumes rendering.");
    }
    abandon_frame();
    return;
  }
  std::vector<std::uint32_t> unfinished = unfinished_tiles_of(*job, owner);
  for (std::uint32_t index : unfinished) job->reassigned.insert(index);
  finish_elsewhere(job, std::move(unfinished));
}

void FrameLoop::finish_elsewhere(const std::shared_ptr<FrameJob>& job, std::vector<std::uint32_t> tiles) {
  if (tiles.empty()) return;  // it held no tile: the others finish the frame from the queue
  if (pool_.empty()) {
    main_thread_unfinished_ = std::move(tiles);
    render_on_main_thread_later();
    return;
  }
  // The least busy live worker: any will do, its queue runs this after its frame task.
  const PoolMember& helper = pool_.members().front();
  wwm::post(helper.id, [job, tiles = std::move(tiles), counters = helper.counters](wwm::JsValue) {
    counters->version = hotswap::current_version();
    const TilesRendered rendered = finish_tiles(*job, tiles, wwm::this_worker_id()->value);
    counters->tiles += rendered.count;
    if (rendered.finished_frame) {
      wwm::post_to_main([job](wwm::JsValue) { FrameLoop::instance().frame_complete(job); });
    }
  });
}

// A frame is given up (rendered by code that fails, or by code a ready patch replaces): its
// workers take no more tiles, and the next frame starts on a new accumulation buffer
// (stragglers still write into the old one; each finishes its tile before its next task).
// Its pixels are let go too: the frame after next would write into them, and a straggler's
// tile (a grown frame's, rendered long after) would land on that picture.
void FrameLoop::abandon_frame() {
  if (current_job_) {
    current_job_->abandoned = true;
    release_frame(*current_job_);  // a held worker wakes to see it given up
    for (auto& pixels : pixels_) {
      if (pixels && pixels == current_job_->pixels) pixels = std::make_shared<std::vector<std::uint8_t>>(pixels->size(), 0);
    }
  }
  current_job_.reset();
  main_thread_unfinished_.clear();
  frame_in_flight_ = false;
  clear_accumulation();
  start_frame();
}

}  // namespace raytracer::web

// ---- Called by the JS glue ------------------------------------------------------------------

extern "C" {

EMSCRIPTEN_KEEPALIVE void raytracer_detail_set_page_hidden(int hidden) { raytracer::web::page_hidden.store(hidden != 0); }

// A worker's look at the main thread's heartbeat: the patch version the page runs if the
// main thread is stuck and this worker is the first to notice it at this heartbeat, else -1.
EMSCRIPTEN_KEEPALIVE int raytracer_detail_main_thread_stuck() {
  thread_local std::uint32_t seen_beat = 0;
  thread_local double seen_since_ms = 0;
  const std::uint32_t beat = raytracer::web::main_thread_heartbeat.load();
  const double now = emscripten_get_now();
  if (beat != seen_beat || raytracer::web::page_hidden.load() != 0 || seen_since_ms == 0) {
    seen_beat = beat;
    seen_since_ms = now;
    return -1;
  }
  if (now - seen_since_ms < raytracer::web::kMainThreadStalledAfterMs) return -1;
  std::uint32_t reported = raytracer::web::stall_reported_at_beat.load();
  if (reported == beat + 1 || !raytracer::web::stall_reported_at_beat.compare_exchange_strong(reported, beat + 1)) return -1;
  return static_cast<int>(hotswap::current_version());
}

}  // extern "C"
