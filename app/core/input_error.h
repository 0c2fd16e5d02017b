// InputError: the first error channel (bad input). Thrown when a scene file, an OBJ file or
// a command-line argument is wrong; it names the file, the field inside it and what was
// expected, so the person who wrote the input can fix it without reading our code.
#pragma once

#include <stdexcept>
#include <string>

namespace raytracer {

class InputError : public std::runtime_error {
 public:
  // `file`: where the input came from ("scenes/cornell_box.json", "command line").
  // `field`: where inside it ("objects[3].material.roughness", "line 12", "--width").
  // `expectation`: what was expected and what was found ("expected a number, got \"shiny\"").
  InputError(std::string file, std::string field, std::string expectation);

  const std::string& file() const noexcept { return file_; }
  const std::string& field() const noexcept { return field_; }
  const std::string& expectation() const noexcept { return expectation_; }

 private:
  std::string file_;
  std::string field_;
  std::string expectation_;
};

}  // namespace raytracer
