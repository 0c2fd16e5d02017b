// The page's frame loop (see frame_loop.h).
#include "frame_loop.h"

#include <emscripten/emscripten.h>

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <variant>

#include <nlohmann/json.hpp>

#include "canvas_bridge.h"
#include "hotswap.h"
#include "preview_frame.h"
#include "wwm.h"

namespace raytracer::web {
namespace {

constexpr int kTileSize = 32;
constexpr double kMainThreadSliceMs = 8.0;  // zero-worker mode: render at most this long per turn
// While the picture stays still, each frame takes up to this many times the page's samples
// per frame: a frame's fixed costs (every pixel tone-mapped, the picture presented, the round
// trip to the workers) are then shared by more samples (docs/BENCHMARKS.md, "Per thread").
constexpr std::uint32_t kMostFrameGrowthWhileStill = 8;
// ... as long as a frame stays under this. A grown frame is given up as soon as the camera
// moves (and any frame when a patch is ready), so this only bounds how often a still picture
// refreshes and how long a change of worker count or samples per frame waits.
constexpr double kStillFrameBudgetMs = 500.0;

// A grown frame gets smaller tiles, about as much work each as a tile of a plain frame: a
// worker finishes the tile it holds before it applies a patch, so tiles must stay short.
int tile_size_for(std::uint32_t frame_growth) {
  return static_cast<int>(static_cast<double>(kTileSize) / std::sqrt(static_cast<double>(frame_growth)) + 0.5);
}

// Zero-worker mode yields to the event loop between slices through a MessageChannel
// (setTimeout would add its 4 ms clamp to every slice).
// The page's patch log and the terminal want to know when new code reaches the screen.
EM_JS(void, js_new_version_shown, (std::uint32_t version), {
  if (globalThis.RaytracerPage && RaytracerPage.onNewVersionShown) RaytracerPage.onNewVersionShown(version);
});

// A slice that traps or throws unwinds no C++ frames: the stack pointer is restored here
// and the frame loop told (main_thread_failed), as wwm does for a worker's task.
EM_JS(void, js_yield_then_continue, (), {
  if (!globalThis.raytracerSliceChannel) {
    globalThis.raytracerSliceChannel = new MessageChannel();
    globalThis.raytracerSliceChannel.port1.onmessage = function() {
      var stack = stackSave();
      try {
        _raytracer_detail_continue_slice();
      } catch (error) {
        stackRestore(stack);
        var text = error instanceof WebAssembly.RuntimeError ? 'trap: ' + error.message : String(error && error.message || error);
        var bytes = lengthBytesUTF8(text) + 1, pointer = _malloc(bytes);
        stringToUTF8(text, pointer, bytes);
        _raytracer_detail_main_thread_failed(pointer);
        _free(pointer);
      }
    };
  }
  globalThis.raytracerSliceChannel.port2.postMessage(0);
});

}  // namespace

FrameLoop& FrameLoop::instance() {
  static FrameLoop loop;
  return loop;
}

FrameLoop::FrameLoop() {
  hotswap::on_patch_committed([this](std::uint32_t) { patches_committed_ = true; });
  hotswap::on_change_reaching(&try_parse_scene, [this] { rebuild_scene(); });
  hotswap::on_patch_ready([this] { new_code_ready(); });
  wwm::on_worker_failed([this](wwm::WorkerId worker, const std::string& reason) { worker_failed(worker, reason); });
}

void FrameLoop::start() {
  if (started_ || (!scene_ && !pending_scene_)) return;
  started_ = true;
  if (!pending_worker_count_) pending_worker_count_ = 1;
  preview_next_frame_ = true;  // the first pixels (of a page that just loaded, or reloaded after a hot restart) soon
  start_watchdog();
  start_frame();
}

std::optional<std::string> FrameLoop::load_scene(const std::string& name, const std::string& json_text,
                                                 const FileResolver& resolve_file) {
  SceneSource source{name, json_text, {}};
  auto recording = [&](const std::string& path) {
    std::optional<std::string> contents = resolve_file(path);
    if (contents) source.files[path] = *contents;
    return contents;
  };
  auto parsed = try_parse_scene(json_text, name, recording);
  if (auto* error = std::get_if<InputError>(&parsed)) return std::string(error->what());
  pending_scene_ = std::make_shared<const LoadedScene>(std::move(std::get<LoadedScene>(parsed)));
  pending_scene_source_ = std::move(source);
  pending_scene_keeps_camera_ = false;
  change_requested();
  return std::nullopt;
}

// Runs between frames, right after the patches committed: the scene is loaded again by the
// new code (also a scene the page asked for that is about to be shown: the old code parsed
// it). A scene the new code rejects is reported and the current one kept.
void FrameLoop::rebuild_scene() {
  const bool new_scene = pending_scene_ && !pending_scene_keeps_camera_;
  const SceneSource source = new_scene ? pending_scene_source_ : scene_source_;
  if (source.name.empty()) return;
  auto from_source = [&source](const std::string& path) -> std::optional<std::string> {
    auto found = source.files.find(path);
    if (found == source.files.end()) return std::nullopt;
    return found->second;
  };
  auto parsed = try_parse_scene(source.json_text, source.name, from_source);
  if (auto* error = std::get_if<InputError>(&parsed)) {
    report_problem_to_page("The patched scene code rejects the scene", std::string(error->what()) +
                           " (the page keeps the scene it had)");
    return;
  }
  pending_scene_ = std::make_shared<const LoadedScene>(std::move(std::get<LoadedScene>(parsed)));
  pending_scene_source_ = source;
  pending_scene_keeps_camera_ = !new_scene;
  ++scene_rebuilds_;
}

void FrameLoop::set_resolution(int width, int height) {
  FrameSettings settings = pending_settings_.value_or(settings_);
  settings.width = std::clamp(width, 16, 3840);
  settings.height = std::clamp(height, 16, 2160);
  pending_settings_ = settings;
  change_requested();
}

void FrameLoop::set_samples_per_frame(std::uint32_t samples) {
  FrameSettings settings = pending_settings_.value_or(settings_);
  settings.samples_per_frame = std::clamp<std::uint32_t>(samples, 1, 1024);
  pending_settings_ = settings;
  change_requested();
}

void FrameLoop::set_worker_count(int count) {
  pending_worker_count_ = std::clamp(count, 0, 64);
  change_requested();
}

void FrameLoop::set_sample_limit(std::uint32_t samples) {
  sample_limit_ = samples;
  schedule_next_frame();
}

// A build holds the frame in flight too, not only the next one: its workers would keep the
// cores from the compiler until it ends (a .cpp save's compile took 178 ms of wall time for
// 110 ms of processor time with 2 workers rendering). Held, not given up: should the build
// fail, the frame goes on and the picture keeps its samples. But a frame whose picture is
// about to change (a camera, a setting waiting for the next frame) is given up, so the change
// applies now: what the page reports is what it was asked for (a hot restart saves that).
void FrameLoop::pause_for_build(bool paused) {
  paused_for_build_ = paused;
  if (current_job_ && frame_in_flight_) {
    if (paused && changes_pending()) {
      abandon_frame();  // its picture is about to change: the changes apply now, the next frame waits
      return;
    }
    if (paused) {
      hold_frame(*current_job_);
    } else {
      release_frame(*current_job_);
      if (pool_.empty()) render_on_main_thread_later();
    }
  }
  schedule_next_frame();
}

// Something the page asked for waits for the next frame's start (apply_pending_changes).
bool FrameLoop::changes_pending() const {
  return pending_scene_ || pending_camera_ || pending_settings_ || pending_worker_count_ || camera_changed_;
}

void FrameLoop::set_light_sampling(bool enabled) {
  FrameSettings settings = pending_settings_.value_or(settings_);
  settings.light_sampling = enabled;
  pending_settings_ = settings;
  change_requested();
}

void FrameLoop::orbit(float yaw_radians, float pitch_radians) {
  camera_.orbit(yaw_radians, pitch_radians);
  on_camera_moved();
}

void FrameLoop::zoom(float factor) {
  camera_.zoom(factor);
  on_camera_moved();
}

// The newest request wins: a camera set a moment before (a reloaded scene keeping the user's
// view waits for the next frame's start) would otherwise override the reset.
void FrameLoop::reset_camera() {
  pending_camera_.reset();
  camera_ = pending_scene_ ? pending_scene_->camera : scene_camera_;
  on_camera_moved();
}

// A grown frame (the picture was still) would keep a drag waiting: give it up, so the new
// view starts at once, in frames of the page's own size. Those finish as before.
void FrameLoop::on_camera_moved() {
  camera_changed_ = true;
  if (frame_in_flight_ && current_job_ && current_job_->settings.samples_per_frame > settings_.samples_per_frame) {
    abandon_frame();
  } else {
    change_requested();
  }
}

void FrameLoop::set_camera(const glm::vec3& position, const glm::vec3& target, float focus_distance) {
  pending_camera_ = CameraPlacement{position, target, focus_distance};
  camera_changed_ = true;
  change_requested();
}

void FrameLoop::allocate_pixels() {
  const std::size_t bytes = static_cast<std::size_t>(settings_.width) * settings_.height * 4;
  for (auto& pixels : pixels_) pixels = std::make_shared<std::vector<std::uint8_t>>(bytes, 0);
}

// A new picture. Its buffer is made when the next full frame starts (empty_accumulation), so
// a preview frame (after a patch) starts without waiting for it.
void FrameLoop::clear_accumulation() {
  if (accumulation_) retired_accumulations_.push_back(std::move(accumulation_));
  right_accumulation_.reset();  // made again if the next frame renders two pictures
  accumulated_samples_ = 0;
  frame_growth_ = 1;  // a new picture: back to frames of the page's size
}

// An empty buffer for the picture: a retired one that no frame holds any more (a frame given
// up may have stragglers still writing into its buffer), cleared; else a new one. Clearing
// memory already touched costs well under a millisecond; a new 640x360 buffer's first touch
// (3.7 MB of page faults) held the first frame after a patch back by several milliseconds.
std::shared_ptr<AccumulationBuffer> FrameLoop::empty_accumulation() {
  constexpr std::size_t kMostRetired = 2;
  std::shared_ptr<AccumulationBuffer> reused;
  for (auto it = retired_accumulations_.begin(); it != retired_accumulations_.end(); ++it) {
    const bool same_size = (*it)->width() == settings_.width && (*it)->height() == settings_.height;
    if (same_size && it->use_count() == 1) {  // only this list holds it
      reused = std::move(*it);
      retired_accumulations_.erase(it);
      break;
    }
  }
  while (retired_accumulations_.size() > kMostRetired) retired_accumulations_.erase(retired_accumulations_.begin());
  if (!reused) return std::make_shared<AccumulationBuffer>(settings_.width, settings_.height);
  reused->clear();
  return reused;
}

// Everything the page asked for since the last frame, in one place between frames. Patches
// first: one may rebuild the scene (rebuild_scene), which the scene step then takes.
void FrameLoop::apply_pending_changes() {
  bool restart = false;
  if (hotswap::commit_ready_patches() > 0 || patches_committed_) {
    patches_committed_ = false;
    paused_by_failures_ = false;  // new code: worth trying again
    restart = true;               // the samples so far were rendered by the old code
    preview_next_frame_ = true;   // the new code's pixels, soon
  }
  if (pending_scene_) {
    scene_ = std::move(pending_scene_);
    scene_source_ = std::move(pending_scene_source_);
    scene_name_ = scene_source_.name;
    scene_camera_ = scene_->camera;
    if (!pending_scene_keeps_camera_) camera_ = scene_camera_;
    restart = true;
  }
  if (update_comparison()) restart = true;
  if (pending_camera_ && scene_) {
    camera_ = Camera(pending_camera_->position, pending_camera_->target, scene_camera_.up(), scene_camera_.vertical_fov_degrees(),
                     scene_camera_.aperture(), pending_camera_->focus_distance);
    pending_camera_.reset();
  }
  if (pending_settings_) {
    const bool resized = pending_settings_->width != settings_.width || pending_settings_->height != settings_.height;
    // Samples of the two integrators must not mix: the picture would depend on its history.
    const bool integrator_changed = pending_settings_->light_sampling != settings_.light_sampling;
    settings_ = *pending_settings_;  // a new samples-per-frame keeps the samples so far
    pending_settings_.reset();
    if (resized) {
      allocate_pixels();
      restart = true;
    }
    if (integrator_changed) restart = true;
  }
  if (!pixels_[0]) allocate_pixels();
  if (pending_worker_count_) {
    wanted_workers_ = *pending_worker_count_;
    pending_worker_count_.reset();
  }
  pool_.resize(wanted_workers_, settings_.width, settings_.height);  // also replaces failed workers
  if (camera_changed_) {
    camera_changed_ = false;
    restart = true;
  }
  if (restart || (accumulation_ && (accumulation_->width() != settings_.width || accumulation_->height() != settings_.height))) {
    clear_accumulation();
  }
}

// The page asked for a change (a scene, a setting, the camera): it applies when the next frame
// starts. While a build holds the frame in flight, that frame is given up so the change
// applies now (a new picture discards its samples anyway, and what the page reports must be
// what it asked for: a hot restart saves that); the next frame then waits for the build.
void FrameLoop::change_requested() {
  if (paused_for_build_ && frame_in_flight_ && current_job_ && current_job_->held.load() != 0) {
    abandon_frame();
  } else {
    schedule_next_frame();
  }
}

void FrameLoop::schedule_next_frame() {
  if (started_ && !frame_in_flight_ && waiting_to_start_) {
    waiting_to_start_ = false;
    start_frame();
  }
}

// A patch is ready; it is committed between frames. The frame in flight runs the old code
// and its samples are discarded at the commit anyway: give it up rather than wait for it,
// so the new code's first frame starts now. A paused loop wakes to commit it.
void FrameLoop::new_code_ready() {
  if (frame_in_flight_ && current_job_) {
    abandon_frame();
  } else {
    schedule_next_frame();
  }
}

void FrameLoop::start_frame() {
  apply_pending_changes();
  // Double buffering: the next frame reuses the pixels of the last completed frame of the
  // same parity, which must be on screen first.
  if (awaiting_present_[(frame_number_ + 1) % 2] != 0) {
    waiting_to_start_ = true;
    return;
  }
  if (!scene_ || paused_by_failures_ || paused_for_build_ || (sample_limit_ > 0 && accumulated_samples_ >= sample_limit_)) {
    waiting_to_start_ = true;  // paused: a change (or a higher limit, or a patch) starts the next frame
    return;
  }
  // No preview during a comparison: its frames are cut at the split line, one version a side.
  const bool preview = std::exchange(preview_next_frame_, false) && !comparison_ && worth_a_preview(settings_);
  FrameSettings settings = preview ? preview_settings(settings_) : settings_;
  if (!preview) {
    settings.samples_per_frame = settings_.samples_per_frame * frame_growth_;
    if (sample_limit_ > 0) settings.samples_per_frame = std::min(settings.samples_per_frame, sample_limit_ - accumulated_samples_);
  }
  const int tile_size = tile_size_for(preview ? 1 : frame_growth_);
  ComparisonTiles tiles = comparison_ ? comparison_tiles(*comparison_, settings.width, settings.height, tile_size)
                                      : ComparisonTiles{make_tiles(settings.width, settings.height, tile_size), {}};
  auto job = std::make_shared<FrameJob>(tiles.tiles.size());
  job->tiles = std::move(tiles.tiles);
  job->tile_sides = std::move(tiles.sides);
  job->scene = scene_;
  job->camera = camera_;
  job->settings = settings;
  job->frame_number = ++frame_number_;
  job->preview = preview;
  if (preview) {  // its own samples and pixels: the picture's accumulation starts with the next frame
    job->accumulation = std::make_shared<AccumulationBuffer>(settings.width, settings.height);
    job->pixels = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(settings.width) * settings.height * 4);
  } else {
    if (!accumulation_) accumulation_ = empty_accumulation();
    job->accumulation = accumulation_;
    job->first_sample = accumulated_samples_;
    job->pixels = pixels_[job->frame_number % 2];
  }
  if (comparison_) set_comparison_sides(*job);
  current_job_ = job;
  frame_in_flight_ = true;
  failures_in_frame_ = 0;
  statistics_.frame_started(emscripten_get_now());

  if (pool_.empty()) {
    render_on_main_thread_later();  // every main-thread slice runs from the event loop (see main_thread_failed)
    return;
  }
  for (const PoolMember& member : pool_.members()) post_frame_task(member, job);
}

void FrameLoop::post_frame_task(const PoolMember& member, const std::shared_ptr<FrameJob>& job) {
  wwm::post(member.id, [job, counters = member.counters](wwm::JsValue) {
    counters->version = hotswap::current_version();
    const TilesRendered rendered = render_tiles_from_queue(*job, wwm::this_worker_id()->value);
    counters->tiles += rendered.count;
    if (rendered.finished_frame) {
      wwm::post_to_main([job](wwm::JsValue) { FrameLoop::instance().frame_complete(job); });
    }
  });
}

void FrameLoop::render_on_main_thread_later() {
  if (main_thread_slice_pending_) return;  // the pending slice renders whatever frame is current
  main_thread_slice_pending_ = true;
  js_yield_then_continue();
}

void FrameLoop::continue_main_thread_slice() {
  main_thread_slice_pending_ = false;
  if (frame_in_flight_ && pool_.empty() && !paused_for_build_) render_on_main_thread();
}

void FrameLoop::render_on_main_thread() {
  const std::shared_ptr<FrameJob> job = current_job_;
  if (!main_thread_unfinished_.empty()) {  // first the tiles a failed slice left half done
    const std::vector<std::uint32_t> tiles = std::exchange(main_thread_unfinished_, {});
    if (finish_tiles(*job, tiles, kMainThreadOwner).finished_frame) return frame_complete(job);
  }
  const TilesRendered rendered = render_tiles_from_queue(*job, kMainThreadOwner, kMainThreadSliceMs);
  if (rendered.finished_frame) {
    frame_complete(job);
  } else if (job->tiles_done.load() < job->tiles.size() && !paused_for_build_) {
    render_on_main_thread_later();
  }
}

void FrameLoop::frame_complete(const std::shared_ptr<FrameJob>& job) {
  if (job != current_job_) return;
  const bool mixed = !tiles_rendered_by_their_versions(*job);
  job->version = version_shown(*job);
  std::shared_ptr<std::vector<std::uint8_t>> shown = job->pixels;
  if (job->preview) {
    shown = pixels_[job->frame_number % 2];
    enlarge_preview(*job->pixels, job->settings.width, job->settings.height, *shown, settings_.width, settings_.height);
    statistics_.frame_finished(emscripten_get_now(), 0.0, job->version, mixed);
  } else {
    if (!job->tile_sides.empty()) comparison_frame_complete(*job);
    accumulated_samples_ += job->settings.samples_per_frame;
    const double pictures = job->tile_sides.empty() || !renders_both_pictures(compared_frame_.view) ? 1.0 : 2.0;
    statistics_.frame_finished(emscripten_get_now(),
                               pictures * job->settings.width * job->settings.height * job->settings.samples_per_frame,
                               job->version, mixed);
    if (statistics_.last_frame_ms() * 2.0 < kStillFrameBudgetMs && frame_growth_ < kMostFrameGrowthWhileStill) frame_growth_ *= 2;
  }
  last_completed_frame_ = job->frame_number;
  awaiting_present_[job->frame_number % 2] = job->frame_number;
  completed_pixels_ = shown;
  frame_in_flight_ = false;
  present(job->frame_number, job->version, std::move(shown));
  start_frame();
}

void FrameLoop::present(std::uint32_t frame, std::uint32_t version, std::shared_ptr<std::vector<std::uint8_t>> pixels) {
  const int width = settings_.width, height = settings_.height;
  if (auto presenter = pool_.presenter()) {
    wwm::post(*presenter, [frame, version, pixels, width, height](wwm::JsValue) {
      present_pixels(pixels->data(), width, height);
      wwm::post_to_main([frame, version](wwm::JsValue) { FrameLoop::instance().present_acknowledged(frame, version); });
    });
  } else {
    present_pixels(pixels->data(), width, height);
    present_acknowledged(frame, version);
  }
}

void FrameLoop::present_acknowledged(std::uint32_t frame_number, std::uint32_t version) {
  last_presented_frame_ = std::max(last_presented_frame_, frame_number);
  if (awaiting_present_[frame_number % 2] == frame_number) awaiting_present_[frame_number % 2] = 0;
  if (version != shown_version_) {
    shown_version_ = version;
    js_new_version_shown(version);
  }
  schedule_next_frame();
}

const std::uint8_t* FrameLoop::displayed_pixels() const {
  return completed_pixels_ ? completed_pixels_->data() : nullptr;
}

std::string FrameLoop::statistics_json() const {
  const struct mallinfo heap = mallinfo();
  nlohmann::json workers = nlohmann::json::array();
  for (const wwm::WorkerInfo& info : wwm::workers()) {
    nlohmann::json worker = {{"id", info.id.value}, {"status", wwm::to_string(info.status)}, {"tiles", 0}, {"version", 0},
                             {"presenter", pool_.presenter() == info.id}};
    for (const PoolMember& member : pool_.members()) {
      if (member.id == info.id) {
        worker["tiles"] = member.counters->tiles.load();
        worker["version"] = member.counters->version.load();
      }
    }
    if (!info.failure.empty()) worker["failure"] = info.failure;
    workers.push_back(std::move(worker));
  }
  const auto vector = [](const glm::vec3& v) { return nlohmann::json::array({v.x, v.y, v.z}); };
  const nlohmann::json statistics = {
      {"scene", scene_name_},
      {"width", settings_.width},
      {"height", settings_.height},
      {"samplesPerFrame", settings_.samples_per_frame},
      {"frameGrowth", frame_growth_},  // the still picture's frames take samplesPerFrame times this
      {"lightSampling", settings_.light_sampling},
      {"sampleLimit", sample_limit_},
      {"accumulatedSamples", accumulated_samples_},
      {"frames", statistics_.frames()},
      {"completedFrame", last_completed_frame_},
      {"presentedFrame", last_presented_frame_},
      {"lastFrameMs", statistics_.last_frame_ms()},
      {"samplesPerSecond", statistics_.samples_per_second()},
      {"frameVersion", statistics_.last_frame_version()},      // patch version of the newest frame
      {"mixedVersionFrames", statistics_.mixed_version_frames()},  // frames with a tile on a wrong version: must stay 0
      {"compare", nlohmann::json::parse(comparison_json())},     // null, or the two versions shown
      {"patchVersion", hotswap::current_version()},              // the main thread's version
      {"workerFailures", worker_failures_},  // stuck workers included
      {"stuckWorkers", stuck_workers_},
      {"rollbacks", rollbacks_},
      {"sceneRebuilds", scene_rebuilds_},  // scenes loaded again because a patch changed scene code
      {"pausedByFailures", paused_by_failures_},
      {"pausedForBuild", paused_for_build_},
      {"idle", !frame_in_flight_ && waiting_to_start_},
      // The frame being rendered: its tiles and how many are finished (null between frames).
      {"frameInFlight", frame_in_flight_ && current_job_
                            ? nlohmann::json{{"tiles", current_job_->tiles.size()}, {"tilesDone", current_job_->tiles_done.load()},
                                             {"held", current_job_->held.load() != 0}}
                            : nlohmann::json()},
      {"heapInUseBytes", heap.uordblks},                                             // allocated now
      {"heapTopBytes", reinterpret_cast<std::uintptr_t>(sbrk(0))},                   // high-water mark of the heap
      {"camera", {{"position", vector(camera_.position())}, {"target", vector(camera_.target())},
                  {"focusDistance", camera_.focus_distance()}}},
      {"workers", std::move(workers)},
  };
  return statistics.dump();
}

}  // namespace raytracer::web

extern "C" EMSCRIPTEN_KEEPALIVE void raytracer_detail_continue_slice() {
  raytracer::web::FrameLoop::instance().continue_main_thread_slice();
}

extern "C" EMSCRIPTEN_KEEPALIVE void raytracer_detail_main_thread_failed(const char* reason) {
  raytracer::web::FrameLoop::instance().main_thread_failed(reason);
}
