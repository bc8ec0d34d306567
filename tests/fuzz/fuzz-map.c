/* SPDX-License-Identifier: MIT */
/* fuzz-map.c: libFuzzer harness of the --map parser, for parties and for events. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *map = malloc(size + 1), msg[512];

	if (!map)
		return 0;
	memcpy(map, data, size);
	map[size] = '\0';
	crm_map_check(map, 0, msg, sizeof msg);
	crm_map_check(map, 1, msg, sizeof msg);
	free(map);
	return 0;
}
