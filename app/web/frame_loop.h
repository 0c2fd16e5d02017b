// FrameLoop: the page's progressive render, on the main thread. Each frame adds
// samples_per_frame samples to every pixel: the frame's tiles go to a shared queue and
// every worker gets one task to take tiles from it (zero workers: the main thread renders
// them in short slices, staying responsive). Between frames, and only there, it applies
// what the user changed (scene, resolution, camera, worker count) and commits hot-swap
// patches, so a frame runs entirely on one version of the code.
//
// A patch that changes code reachable from scene loading (the scene reader, materials, the
// OBJ loader, the BVH build) rebuilds the scene with the new code, from the text and files it
// was loaded from, keeping the camera, resolution, workers and samples settings.
//
// Faults (fault_recovery.cpp): a worker whose task traps or throws is replaced and its
// unfinished tiles are finished elsewhere, so the frame completes. A frame that fails twice
// is the code's fault: the newest patch is rolled back (or, with no patch to undo,
// rendering pauses until the next patch) and the frame starts over. A worker that makes no
// progress for 2 s (an endless loop) is killed and replaced; the newest patch is rolled back
// when the worker ran it.
//
// Two versions on one picture (comparison.cpp, compare_view.h): each tile of a frame is
// rendered by the version of its side of the split line, each version from the scene its own
// code loads; or both pictures whole, shown as their difference or either one.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "compare_view.h"
#include "frame_job.h"
#include "frame_statistics.h"
#include "raytracer.h"
#include "worker_pool.h"

namespace raytracer::web {

// A worker's share in fault recovery: it watches the main thread, which nothing can recover
// when it is stuck, and tells the terminal why the page froze (fault_recovery.cpp).
void watch_main_thread_from_this_worker();

class FrameLoop {
 public:
  static FrameLoop& instance();

  // Begins rendering (the page calls it once a scene is loaded).
  void start();

  // ---- Requests from the page; all take effect between frames ----
  // Parses a scene; on bad input returns the error text and keeps the current scene.
  std::optional<std::string> load_scene(const std::string& name, const std::string& json_text,
                                        const FileResolver& resolve_file);
  void set_resolution(int width, int height);
  void set_samples_per_frame(std::uint32_t samples);
  void set_worker_count(int count);
  void set_sample_limit(std::uint32_t samples);  // 0: no limit; rendering pauses at the limit
  // While the dev loop builds a patch, no new frame starts: the old code's samples would be
  // thrown away when the patch applies, and the compiler needs the cores more.
  void pause_for_build(bool paused);
  // false: material sampling only (FrameSettings::light_sampling), for the benchmark's
  // comparison; a change starts the accumulation over.
  void set_light_sampling(bool enabled);
  void orbit(float yaw_radians, float pitch_radians);
  void zoom(float factor);
  void reset_camera();
  // Puts the camera where the user had it (a page restoring its state after a reload): the
  // scene's lens, this position, target and focus distance. Applies after a pending scene load.
  void set_camera(const glm::vec3& position, const glm::vec3& target, float focus_distance);

  // Shows two versions of the code on one picture (nothing: the normal view again). A change
  // of view among those that render both pictures shows at once; anything else starts the
  // accumulation over. Returns why not if a version cannot be run.
  std::optional<std::string> compare(const std::optional<Comparison>& comparison);

  std::string statistics_json() const;
  const std::uint8_t* displayed_pixels() const;  // RGBA8 of the last completed frame

  // Zero-worker mode: the next slice of the current frame (after a turn of the event loop).
  void continue_main_thread_slice();

  // ---- Faults (fault_recovery.cpp) ----
  void worker_failed(wwm::WorkerId worker, const std::string& reason);
  void main_thread_failed(const std::string& reason);
  void check_progress();  // the watchdog's periodic look (stuck workers, orphaned tiles)

  // Shows a problem in the page's error overlay (and its console).
  static void report_problem_to_page(const std::string& title, const std::string& text);

 private:
  FrameLoop();
  void start_frame();
  void apply_pending_changes();
  void rebuild_scene();  // a patch changed scene loading code: load it again, keeping the camera
  void clear_accumulation();
  void change_requested();  // a setter's change: applies at the next frame (now, if a build holds the frame)
  bool changes_pending() const;
  std::shared_ptr<AccumulationBuffer> empty_accumulation();
  void allocate_pixels();
  void render_on_main_thread();
  void render_on_main_thread_later();  // the next slice, after a turn of the event loop
  void frame_complete(const std::shared_ptr<FrameJob>& job);
  void present(std::uint32_t frame, std::uint32_t version, std::shared_ptr<std::vector<std::uint8_t>> pixels);
  void present_acknowledged(std::uint32_t frame_number, std::uint32_t version);
  void schedule_next_frame();
  void new_code_ready();
  void post_frame_task(const PoolMember& member, const std::shared_ptr<FrameJob>& job);
  void on_camera_moved();
  // Comparison helpers (comparison.cpp).
  bool update_comparison();  // between frames: true if the picture starts over
  void end_comparison(const std::string& why);
  void set_comparison_sides(FrameJob& job);
  void comparison_frame_complete(const FrameJob& job);
  std::shared_ptr<const LoadedScene> scene_for_version(std::uint32_t version);
  std::string comparison_json() const;
  // Fault recovery helpers.
  struct StuckWorker {
    wwm::WorkerId id;
    std::optional<std::uint32_t> version;  // the patch version its render tasks run (none: not in the pool)
    double stalled_ms;
  };
  void frame_failed(std::uint32_t owner, const std::string& who, const std::string& reason);
  void start_watchdog();
  void look_for_stuck_workers();
  void workers_stuck(const std::vector<StuckWorker>& stuck);
  std::string describe_stall(const StuckWorker& worker) const;
  void finish_orphaned_tiles();
  void abandon_frame();
  void finish_elsewhere(const std::shared_ptr<FrameJob>& job, std::vector<std::uint32_t> tiles);

  // Where a scene came from, to load it again with new code.
  struct SceneSource {
    std::string name;
    std::string json_text;
    std::map<std::string, std::string> files;  // the files it read (OBJ meshes), by the path it named
  };

  static std::variant<LoadedScene, InputError> parse_scene_source(const SceneSource& source);

  // The render state (touched by workers only through the current FrameJob).
  std::shared_ptr<const LoadedScene> scene_;
  std::string scene_name_;
  SceneSource scene_source_;
  Camera camera_;
  Camera scene_camera_;  // the scene file's camera, for reset
  FrameSettings settings_;
  std::shared_ptr<AccumulationBuffer> accumulation_;  // null from a clear until the next full frame
  std::vector<std::shared_ptr<AccumulationBuffer>> retired_accumulations_;  // cleared pictures', reused once no frame holds them
  std::shared_ptr<std::vector<std::uint8_t>> pixels_[2];  // double-buffered RGBA8: one shown, one being rendered
  std::shared_ptr<std::vector<std::uint8_t>> completed_pixels_;  // the last completed frame's
  std::uint32_t accumulated_samples_ = 0;
  std::uint32_t sample_limit_ = 0;
  // While the picture is still, frames grow (1, 2, 4, ... times samples_per_frame) as long as
  // they stay short; a new picture starts again at 1 (frame_loop.cpp's kStillFrameBudgetMs).
  std::uint32_t frame_growth_ = 1;
  bool preview_next_frame_ = false;  // new code took over: show its pixels soon (preview_frame.h)

  // Frame bookkeeping.
  std::shared_ptr<FrameJob> current_job_;
  std::uint32_t frame_number_ = 0;
  std::uint32_t last_presented_frame_ = 0;   // acknowledged by the presenter
  std::uint32_t last_completed_frame_ = 0;
  // Per pixel buffer: the completed frame in it that is not on screen yet (0: none). A frame
  // may render into a buffer only once that frame is shown. Frames given up never get here.
  std::uint32_t awaiting_present_[2] = {0, 0};
  std::uint32_t shown_version_ = 0;          // patch version of the newest frame on screen
  bool started_ = false;
  bool frame_in_flight_ = false;
  bool waiting_to_start_ = false;
  bool main_thread_slice_pending_ = false;  // zero-worker mode: one chain of slices at a time

  // Faults.
  int failures_in_frame_ = 0;
  std::uint64_t worker_failures_ = 0;  // failed workers, stuck ones included
  std::uint64_t stuck_workers_ = 0;    // workers killed because they made no progress
  std::optional<wwm::WorkerId> killing_stuck_worker_;  // set while wwm::kill runs the failure listeners
  std::uint64_t rollbacks_ = 0;
  std::uint64_t scene_rebuilds_ = 0;
  bool paused_by_failures_ = false;  // the unpatched program fails: wait for a patch
  bool paused_for_build_ = false;
  std::vector<std::uint32_t> main_thread_unfinished_;  // zero-worker mode: tiles of a failed slice
  bool watchdog_started_ = false;
  std::uint32_t watched_frame_ = 0, watched_tiles_done_ = 0;  // the frame's progress at the last look
  double watched_since_ms_ = 0;

  // Pending changes from the page.
  std::shared_ptr<const LoadedScene> pending_scene_;
  SceneSource pending_scene_source_;
  bool pending_scene_keeps_camera_ = false;  // a rebuild after a patch, not a new scene
  std::optional<FrameSettings> pending_settings_;
  std::optional<int> pending_worker_count_;
  int wanted_workers_ = 0;
  bool camera_changed_ = false;
  struct CameraPlacement {
    glm::vec3 position, target;
    float focus_distance;
  };
  std::optional<CameraPlacement> pending_camera_;
  bool patches_committed_ = false;

  // Two versions on one picture.
  std::optional<Comparison> comparison_;
  std::optional<std::optional<Comparison>> pending_comparison_;  // asked for, applies between frames
  std::uint32_t comparison_newest_ = 0;  // the newest version when the comparison last changed
  std::shared_ptr<AccumulationBuffer> right_accumulation_;  // version B's samples when both pictures render
  struct VersionScene {
    std::uint32_t version;
    std::weak_ptr<const LoadedScene> loaded_beside;  // the scene_ it was loaded from the source of
    std::shared_ptr<const LoadedScene> scene;
  };
  std::vector<VersionScene> version_scenes_;
  std::shared_ptr<std::vector<std::uint8_t>> compared_pictures_[2];  // the last completed frame's A and B
  Comparison compared_frame_;            // what that frame rendered
  PictureDifference picture_difference_;  // and how far apart A and B were in it

  WorkerPool pool_;
  FrameStatistics statistics_;
};

}  // namespace raytracer::web
