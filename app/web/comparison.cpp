// The frame loop's comparisons of two versions of the code on one picture (see frame_loop.h
// and compare_view.h): asking for one, keeping it true as patches come and go, the scene each
// version's code loads, the two sides of each frame, and the views of two whole pictures.
//
// What happens when (README and docs/ARCHITECTURE.md, "Two versions on one picture"):
// - a save makes a new patch: a side that showed the newest version shows the new one, the
//   other side stays (so a series of edits is compared against the same "before");
// - a version a side shows cannot be run any more (it was rolled back): the comparison ends,
//   and the page's overlay says why;
// - a comparison frame fails twice: either version may be at fault, so the comparison ends and
//   the frame starts over in the normal view, where the usual fault handling judges the newest;
// - the two versions' scene-loading code differs: each side renders the scene as its own
//   version's code loads it, from the same text and files;
// - a hot restart replaces the program and every version with it: the page comes back in the
//   normal view (web/js/hot_restart.js says the comparison ended).
#include <algorithm>
#include <cstdio>
#include <string>

#include "core/check.h"
#include "frame_loop.h"
#include "hotswap.h"

namespace raytracer::web {
namespace {

std::string version_list(const std::vector<std::uint32_t>& versions) {
  std::string text;
  for (const std::uint32_t version : versions) text += (text.empty() ? "" : ", ") + std::to_string(version);
  return text;
}

template <class Value>
bool same_owner(const std::weak_ptr<Value>& weak, const std::shared_ptr<Value>& shared) {
  return !weak.owner_before(shared) && !shared.owner_before(weak);
}

}  // namespace

std::variant<LoadedScene, InputError> FrameLoop::parse_scene_source(const SceneSource& source) {
  auto from_source = [&source](const std::string& path) -> std::optional<std::string> {
    auto found = source.files.find(path);
    if (found == source.files.end()) return std::nullopt;
    return found->second;
  };
  return try_parse_scene(source.json_text, source.name, from_source);
}

std::optional<std::string> FrameLoop::compare(const std::optional<Comparison>& requested) {
  if (requested) {
    for (const std::uint32_t version : {requested->left, requested->right}) {
      if (!hotswap::can_run_version(version)) {
        return "version " + std::to_string(version) + " cannot be run: the versions loaded are " +
               version_list(hotswap::runnable_versions());
      }
    }
    if (!(requested->split >= 0.0 && requested->split <= 1.0)) {
      return "the split must be a fraction of the width between 0 and 1, not " + std::to_string(requested->split);
    }
  }
  // Only which of the two rendered pictures shows changed: show it now, rendering nothing.
  if (requested && comparison_ && !pending_comparison_ && renders_the_same(*comparison_, *requested)) {
    comparison_ = requested;
    if (!frame_in_flight_ && compared_pictures_[0] && completed_pixels_ && renders_the_same(compared_frame_, *comparison_) &&
        completed_pixels_->size() == compared_pictures_[0]->size()) {
      compared_frame_ = *comparison_;
      picture_difference_ = show_comparison(comparison_->view, *compared_pictures_[0], *compared_pictures_[1], *completed_pixels_);
      present(last_completed_frame_, shown_version_, completed_pixels_);
    }  // else the frame in flight shows it when it completes
    return std::nullopt;
  }
  pending_comparison_ = requested;
  // The frame in flight renders what is about to be thrown away: start the new one now.
  if (frame_in_flight_ && current_job_) {
    abandon_frame();
  } else {
    schedule_next_frame();
  }
  return std::nullopt;
}

bool FrameLoop::update_comparison() {
  bool changed = false;
  if (pending_comparison_) {
    comparison_ = *pending_comparison_;
    pending_comparison_.reset();
    comparison_newest_ = hotswap::newest_version();
    compared_pictures_[0] = compared_pictures_[1] = nullptr;
    changed = true;
  }
  if (!comparison_) {
    version_scenes_.clear();
    return changed;
  }
  const std::uint32_t newest = hotswap::newest_version();
  if (newest != comparison_newest_) {
    if (newest > comparison_newest_) {  // a save: the side that showed the newest version follows it
      if (comparison_->left == comparison_newest_) comparison_->left = newest;
      if (comparison_->right == comparison_newest_) comparison_->right = newest;
    }
    comparison_newest_ = newest;
    changed = true;
  }
  for (const std::uint32_t version : {comparison_->left, comparison_->right}) {
    if (!hotswap::can_run_version(version)) {
      end_comparison("Version " + std::to_string(version) + " can no longer be run (it was rolled back); the page shows version " +
                     std::to_string(newest) + " alone.");
      return true;
    }
  }
  std::erase_if(version_scenes_, [this](const VersionScene& known) {
    return (known.version != comparison_->left && known.version != comparison_->right) || !same_owner(known.loaded_beside, scene_);
  });
  return changed;
}

void FrameLoop::end_comparison(const std::string& why) {
  comparison_.reset();
  pending_comparison_.reset();
  version_scenes_.clear();
  compared_pictures_[0] = compared_pictures_[1] = nullptr;
  report_problem_to_page("Comparison ended", why);
}

// The scene as `version`'s code loads it: the newest code's is the one on screen; another
// version loads the same text and files with its own code (its scene loading may differ),
// once per scene.
std::shared_ptr<const LoadedScene> FrameLoop::scene_for_version(std::uint32_t version) {
  if (version == hotswap::newest_version() || scene_source_.name.empty()) return scene_;
  for (const VersionScene& known : version_scenes_) {
    if (known.version == version && same_owner(known.loaded_beside, scene_)) return known.scene;
  }
  RT_CHECK(hotswap::run_this_thread_on(version));
  auto parsed = parse_scene_source(scene_source_);
  hotswap::run_this_thread_on_newest();
  std::shared_ptr<const LoadedScene> scene = scene_;
  if (auto* error = std::get_if<InputError>(&parsed)) {
    report_problem_to_page("Version " + std::to_string(version) + "'s code rejects the scene",
                           std::string(error->what()) + " (its side shows the scene as the newest version loads it)");
  } else {
    scene = std::make_shared<const LoadedScene>(std::move(std::get<LoadedScene>(parsed)));
  }
  version_scenes_.push_back({version, scene_, scene});
  return scene;
}

void FrameLoop::set_comparison_sides(FrameJob& job) {
  const bool both = renders_both_pictures(comparison_->view);
  for (int side = 0; side < 2; ++side) {
    FrameSide& target = job.sides[side];
    target.version = side == 0 ? comparison_->left : comparison_->right;
    target.scene = scene_for_version(target.version);
    if (!both) {  // one picture: each side renders its own pixels of it
      target.accumulation = job.accumulation;
      target.pixels = job.pixels;
      continue;
    }
    if (side == 1 && !right_accumulation_) {
      RT_CHECK(job.first_sample == 0);  // made together with the left picture's (clear_accumulation)
      right_accumulation_ = std::make_shared<AccumulationBuffer>(settings_.width, settings_.height);
    }
    target.accumulation = side == 0 ? job.accumulation : right_accumulation_;
    // Fresh each frame: a frame given up may still have stragglers writing into the last ones.
    target.pixels = std::make_shared<std::vector<std::uint8_t>>(job.pixels->size());
  }
}

void FrameLoop::comparison_frame_complete(const FrameJob& job) {
  RT_CHECK(comparison_.has_value());
  compared_frame_ = *comparison_;
  if (!renders_both_pictures(comparison_->view)) {
    compared_pictures_[0] = compared_pictures_[1] = nullptr;
    return;
  }
  compared_pictures_[0] = job.sides[0].pixels;
  compared_pictures_[1] = job.sides[1].pixels;
  picture_difference_ = show_comparison(comparison_->view, *compared_pictures_[0], *compared_pictures_[1], *job.pixels);
}

// Written by hand: numbers and a view name only (nlohmann::json here would make this source as
// slow to compile, for every header edit that reaches it, as frame_loop.cpp).
std::string FrameLoop::comparison_json() const {
  if (!comparison_) return "null";
  const bool measured = renders_both_pictures(comparison_->view) && compared_pictures_[0] && renders_the_same(compared_frame_, *comparison_);
  char split[32];
  std::snprintf(split, sizeof split, "%.17g", comparison_->split);  // reads back as the same double
  return std::string("{\"left\":") + std::to_string(comparison_->left) + ",\"right\":" + std::to_string(comparison_->right) +
         ",\"split\":" + split + ",\"view\":\"" + to_string(comparison_->view) + "\"" +
         // Version B renders this column and those right of it.
         ",\"splitColumn\":" + std::to_string(split_column(*comparison_, settings_.width)) +
         // Both pictures rendered: how far apart they are (8-bit steps), the difference view's scale.
         ",\"largestDifference\":" + (measured ? std::to_string(picture_difference_.largest) : "null") +
         ",\"differingPixels\":" + (measured ? std::to_string(picture_difference_.differing_pixels) : "null") + "}";
}

}  // namespace raytracer::web
