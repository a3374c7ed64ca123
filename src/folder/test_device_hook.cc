#include "folder/test_device_hook.h"

#include <memory>

namespace toonbox::folder {

Status apply_test_device_rules(const std::string& rules, std::vector<DeviceWorker>* workers) {
  std::vector<std::string> ids;
  for (const DeviceWorker& w : *workers) ids.push_back(w.id);
  TB_ASSIGN_OR_RETURN(engine::DeviceFaults parsed, engine::DeviceFaults::parse(rules, ids));
  auto faults = std::make_shared<const engine::DeviceFaults>(std::move(parsed));
  for (size_t rule = 0; rule < faults->rule_count(); ++rule) {
    for (size_t w = 0; w < workers->size(); ++w) {
      if (!faults->applies(rule, static_cast<int>(w))) continue;
      DeviceFn inner = std::move((*workers)[w].fn);
      const int worker = static_cast<int>(w);
      (*workers)[w].fn = [inner = std::move(inner), faults, worker, rule](
                             const std::vector<const image::Image*>& images,
                             std::vector<ImageNote>* notes) -> Result<std::vector<image::Image>> {
        TB_RETURN_IF_ERROR(faults->before_call(worker, rule));
        return inner(images, notes);
      };
    }
  }
  return Status::ok();
}

}  // namespace toonbox::folder
