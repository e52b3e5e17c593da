/* settings.c — the settings file: a YAML mapping of a few known keys, read
 * with libyaml's parser. Every problem is located; nothing is ever written. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "settings.h"

static const char *const theme_names[] = {"default", "colour-blind", "monochrome"};

const char *theme_name(enum theme theme)
{
    return (unsigned)theme < 3 ? theme_names[theme] : "default";
}

static bool theme_parse(const char *text, enum theme *out)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(text, theme_names[i]) == 0) {
            *out = (enum theme)i;
            return true;
        }
    if (strcmp(text, "color-blind") == 0) {
        *out = THEME_COLOUR_BLIND;
        return true;
    }
    return false;
}

char *config_default_path(void)
{
    const char *base = getenv("XDG_CONFIG_HOME");
    if (base && *base)
        return xasprintf("%s/boardpack/config.yaml", base);
    const char *home = getenv("HOME");
    if (home && *home)
        return xasprintf("%s/.config/boardpack/config.yaml", home);
    return NULL;
}

static bool boolean_parse(const char *text, bool *out)
{
    if (strcmp(text, "true") == 0 || strcmp(text, "yes") == 0 || strcmp(text, "on") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(text, "false") == 0 || strcmp(text, "no") == 0 || strcmp(text, "off") == 0) {
        *out = false;
        return true;
    }
    return false;
}

static bool located(struct error *error, const char *name, const yaml_mark_t *mark,
                    const char *message, const char *detail)
{
    error_set_at(error, name, (unsigned)mark->line + 1, (unsigned)mark->column + 1, message, detail);
    return false;
}

bool config_read_bytes(const char *bytes, size_t length, const char *name, struct config *out,
                       struct error *error)
{
    struct config config = {.theme = THEME_DEFAULT};
    yaml_parser_t parser;
    yaml_event_t event;
    if (!yaml_parser_initialize(&parser)) {
        error_set(error, EXIT_SOFTWARE, "Out of memory reading %s.", name);
        return false;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)bytes, length);
    bool ok = true, done = false, seen_mapping = false;
    bool seen[4] = {false, false, false, false};
    bool in_bind = false;
    char *bind_key = NULL;
    yaml_mark_t bind_mark = {0};
    size_t binding_capacity = 0;
    int depth = 0;
    char *key = NULL;
    yaml_mark_t key_mark = {0};
    while (ok && !done) {
        if (!yaml_parser_parse(&parser, &event)) {
            ok = located(error, name, &parser.problem_mark, "%s", parser.problem
                                                                      ? parser.problem
                                                                      : "this is not valid YAML");
            break;
        }
        switch (event.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (seen_mapping)
                ok = located(error, name, &event.start_mark,
                             "%s", "the settings file holds one document");
            break;
        case YAML_ALIAS_EVENT:
            ok = located(error, name, &event.start_mark, "%s",
                         "aliases are not allowed in the settings file");
            break;
        case YAML_SEQUENCE_START_EVENT:
            ok = located(error, name, &event.start_mark, "%s",
                         key ? "this setting takes a single value, not a list"
                             : "the settings file is a mapping of settings (key: value)");
            break;
        case YAML_MAPPING_START_EVENT:
            if (key && strcmp(key, "bind") == 0 && !in_bind) {
                in_bind = true;
                free(key);
                key = NULL;
            } else if (depth > 0 || key) {
                ok = located(error, name, &event.start_mark, "%s",
                             "this setting takes a single value, not a mapping");
            } else {
                depth++;
                seen_mapping = true;
            }
            break;
        case YAML_MAPPING_END_EVENT:
            if (in_bind)
                in_bind = false;
            else
                depth--;
            break;
        case YAML_SCALAR_EVENT: {
            const char *text = (const char *)event.data.scalar.value;
            if (depth == 0) {
                /* An empty document is fine: all defaults. */
                if (event.data.scalar.length)
                    ok = located(error, name, &event.start_mark, "%s",
                                 "the settings file is a mapping of settings (key: value)");
                break;
            }
            if (in_bind) {
                /* KEY: REQUEST, checked against the keys and requests by
                 * the screen layer. */
                if (!bind_key) {
                    bind_key = xstrdup(text);
                    bind_mark = event.start_mark;
                    break;
                }
                void *grown = config.bindings;
                grow_array(&grown, &binding_capacity, config.binding_count + 1,
                           sizeof *config.bindings);
                config.bindings = grown;
                config.bindings[config.binding_count++] = (struct config_binding){
                    .key = bind_key,
                    .request = xstrdup(text),
                    .key_line = (unsigned)bind_mark.line + 1,
                    .key_column = (unsigned)bind_mark.column + 1,
                    .request_line = (unsigned)event.start_mark.line + 1,
                    .request_column = (unsigned)event.start_mark.column + 1,
                };
                bind_key = NULL;
                break;
            }
            if (!key) {
                int index = strcmp(text, "theme") == 0   ? 0
                            : strcmp(text, "ascii") == 0 ? 1
                            : strcmp(text, "mouse") == 0 ? 2
                            : strcmp(text, "bind") == 0  ? 3
                                                         : -1;
                if (index < 0) {
                    ok = located(error, name, &event.start_mark,
                                 "unknown setting '%s'; the settings are theme, ascii, mouse and "
                                 "bind",
                                 text);
                } else if (seen[index]) {
                    ok = located(error, name, &event.start_mark, "'%s' is set twice", text);
                } else {
                    seen[index] = true;
                    key = xstrdup(text);
                    key_mark = event.start_mark;
                }
                break;
            }
            (void)key_mark;
            bool flag;
            if (strcmp(key, "bind") == 0) {
                if (event.data.scalar.length)
                    ok = located(error, name, &event.start_mark, "%s",
                                 "bind is a mapping of keys to requests (KEY: REQUEST)");
            } else if (strcmp(key, "theme") == 0) {
                if (!theme_parse(text, &config.theme))
                    ok = located(error, name, &event.start_mark,
                                 "theme '%s' is not one of default, colour-blind, monochrome",
                                 text);
            } else if (!boolean_parse(text, &flag)) {
                ok = located(error, name, &event.start_mark,
                             "'%s' is not true or false", text);
            } else if (strcmp(key, "ascii") == 0) {
                config.ascii = flag;
            } else {
                config.no_mouse = !flag;
            }
            free(key);
            key = NULL;
            break;
        }
        default:
            break;
        }
        yaml_event_delete(&event);
    }
    free(key);
    free(bind_key);
    yaml_parser_delete(&parser);
    if (!ok) {
        config_free(&config);
        return false;
    }
    config.path = xstrdup(name);
    *out = config;
    return true;
}

bool config_read(const char *path, struct config *out, struct error *error)
{
    memset(out, 0, sizeof *out);
    if (!path)
        return true;
    FILE *file = fopen(path, "rb");
    if (!file) {
        if (errno == ENOENT || errno == ENOTDIR)
            return true;
        error_set(error, EXIT_NO_INPUT, "Cannot read the settings file %s: %s.", path,
                  strerror(errno));
        return false;
    }
    struct text_buffer text = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, file)) > 0) {
        if (text.length + got > 65536) {
            fclose(file);
            text_free(&text);
            error_set(error, EXIT_DATA, "The settings file %s is too large (over 64 KB).", path);
            return false;
        }
        text_append_length(&text, chunk, got);
    }
    fclose(file);
    bool ok = config_read_bytes(text.data ? text.data : "", text.length, path, out, error);
    text_free(&text);
    return ok;
}

void config_free(struct config *config)
{
    for (size_t i = 0; i < config->binding_count; i++) {
        free(config->bindings[i].key);
        free(config->bindings[i].request);
    }
    free(config->bindings);
    config->bindings = NULL;
    config->binding_count = 0;
    free(config->path);
    config->path = NULL;
}
