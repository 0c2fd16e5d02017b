// The message of an InputError: "file: field: expectation".
#include "core/input_error.h"

#include <utility>

namespace raytracer {
namespace {
std::string compose_message(const std::string& file, const std::string& field, const std::string& expectation) {
  std::string message = file;
  if (!field.empty()) message += ": " + field;
  return message + ": " + expectation;
}
}  // namespace

InputError::InputError(std::string file, std::string field, std::string expectation)
    : std::runtime_error(compose_message(file, field, expectation)),
      file_(std::move(file)),
      field_(std::move(field)),
      expectation_(std::move(expectation)) {}

}  // namespace raytracer
