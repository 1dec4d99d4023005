/* Test-only, preloaded by the asan preset's tests (CMakePresets.json); never
 * installed.
 *
 * Mesa's lavapipe ICD (Debian 12, mesa-vulkan-drivers 22.3.6) keeps one
 * 128-byte allocation in a static for the life of the library. The Vulkan
 * loader unloads the ICD at vkDestroyInstance; LeakSanitizer, running at exit,
 * then finds the allocation referenced by nothing and reports it as a direct
 * leak from "<unknown module>", which no suppression can name. A bare
 * vkCreateInstance + vkDestroyInstance program shows it, so it is not hal's.
 * Keeping the ICDs mapped keeps that static, and LeakSanitizer stays on for
 * everything else. Mesa names its Vulkan ICDs libvulkan_<driver>.so.
 *
 * The Khronos validation layer (vulkan-validationlayers 1.3.239) does the same
 * with synchronization validation on (VK_LAYER_ENABLES): its allocations are
 * reported from "<unknown module>" once the loader unloads it. Layers are
 * named libVkLayer_<name>.so.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stddef.h>
#include <string.h>

int dlclose(void* handle) {
  static int (*real_dlclose)(void*) = NULL;
  if (real_dlclose == NULL) real_dlclose = (int (*)(void*))dlsym(RTLD_NEXT, "dlclose");
  struct link_map* map = NULL;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != NULL && map->l_name != NULL &&
      (strstr(map->l_name, "/libvulkan_") != NULL || strstr(map->l_name, "/libVkLayer_") != NULL)) {
    return 0; /* stays mapped until exit */
  }
  return real_dlclose(handle);
}
