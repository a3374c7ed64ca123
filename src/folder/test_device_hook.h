// TOONBOX_TEST_DEVICE_FAULTS (engine/device_faults.h) for a folder run: each rule wraps the
// device stages of the workers it names, so a real run can have one device slow or failing
// without a GPU.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "engine/device_faults.h"
#include "folder/folder_runner.h"

namespace toonbox::folder {

using toonbox::engine::kTestDeviceVariable;

// Wraps the workers' device stages by `rules` (the variable's value; "" leaves them).
// A rule that does not parse is an error naming it.
Status apply_test_device_rules(const std::string& rules, std::vector<DeviceWorker>* workers);

}  // namespace toonbox::folder
