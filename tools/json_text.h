/*
 * Text rendering of CLI JSON for operators (docs/cli.md, "Text output"):
 * pure functions from a JSON value to a string.
 */
#ifndef HAGW_JSON_TEXT_H
#define HAGW_JSON_TEXT_H

struct json_object;

/*
 * Renders data: objects as aligned "key: value" lines (nested objects
 * indented by two spaces), arrays of flat objects as aligned tables,
 * arrays of scalars comma-separated, null "-", booleans yes/no. Returns
 * a malloc'd string ("" for null data) or NULL when out of memory.
 */
char *json_text_render(struct json_object *data);

/*
 * Renders a help table ([{"command", "args", "help"}, ...]) as aligned
 * "command args  help" lines. Returns a malloc'd string or NULL.
 */
char *json_text_help(struct json_object *table);

#endif
