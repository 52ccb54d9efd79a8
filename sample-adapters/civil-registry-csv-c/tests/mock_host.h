/*
 * host.h for native tests: catalogues read from the hub's own administrative-units file, and
 * a log that remembers what the adapter wrote.
 */
#ifndef CIVIL_MOCK_HOST_H
#define CIVIL_MOCK_HOST_H

#include <stdbool.h>
#include <stddef.h>

/* Loads `catalogues/admin-units-vn-2025.json`; false (with a message on stderr) on failure. */
bool mock_host_load(const char *path);
/* How many catalogue look-ups the adapter made since the last call, which resets the count. */
size_t mock_host_take_lookups(void);
/* The message and the `records` or `violations` field of the last log line. */
const char *mock_host_last_log(void);
const char *mock_host_last_count(void);

#endif
