/* Short names for building the JSON answers of CLI commands (json-c):
 * every handler writes many small objects, and these keep each field on
 * one readable line. */
#ifndef HAGW_CTL_JSON_H
#define HAGW_CTL_JSON_H

#include <json-c/json.h>

#define ADD(obj, key, val) json_object_object_add(obj, key, val)
#define U64(v) json_object_new_uint64(v)
#define STR(v) json_object_new_string(v)
#define BOOL(v) json_object_new_boolean(v)

#endif
