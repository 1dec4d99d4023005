// One line of hal-device-plugin's log on stderr (the kubelet's DaemonSet
// log), "hal-device-plugin: <line>".
#ifndef HAL_INTEGRATIONS_KUBERNETES_PLUGIN_LOG_H_
#define HAL_INTEGRATIONS_KUBERNETES_PLUGIN_LOG_H_

#include <cstdio>
#include <string>

namespace hal::kubernetes {

inline void Log(const std::string& line) {
  std::fprintf(stderr, "hal-device-plugin: %s\n", line.c_str());
}

}  // namespace hal::kubernetes

#endif  // HAL_INTEGRATIONS_KUBERNETES_PLUGIN_LOG_H_
