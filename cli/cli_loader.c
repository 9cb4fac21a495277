/*
 * cli_loader.c - finding and loading the commands module (cli/cli_module.h)
 * when one of its commands runs: cli_run_module(), the handler of those
 * rows of cli/ugw.c. Every failure is a message naming the file and what is
 * wrong with it, and exit status 2; nothing is loaded before a command of
 * the module runs.
 */
#define _GNU_SOURCE /* dladdr() */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_module.h"

#ifndef UGW_CLI_MODULE_REL
#define UGW_CLI_MODULE_REL "../lib/ugw" /* from the executable's directory */
#endif
#ifndef UGW_CLI_MODULE_DIR
#define UGW_CLI_MODULE_DIR "/usr/local/lib/ugw"
#endif

/* The places tried, for the message when none has the module. */
typedef struct {
    char tried[4 * PATH_MAX];
    size_t len;
} search;

/* Whether DIR/SUB/CLI_MODULE_FILE (SUB may be "") exists; its path in `out`. */
static bool try_dir(search *s, const char *dir, size_t dir_len, const char *sub, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%.*s%s%s%s" CLI_MODULE_FILE, (int)dir_len, dir, dir_len ? "/" : "",
                     sub, *sub ? "/" : "");
    if (n < 0 || (size_t)n >= cap)
        return false;
    if (access(out, F_OK) == 0)
        return true;
    n = snprintf(s->tried + s->len, sizeof s->tried - s->len, "%s%s", s->len ? ", " : "", out);
    if (n > 0 && (size_t)n < sizeof s->tried - s->len)
        s->len += (size_t)n;
    return false;
}

/* The directory part of `path` (its length; 0 when it has no '/'). */
static size_t dir_len(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? (size_t)(slash - path) + (slash == path) : 0;
}

/* The module's path in `out` (PATH_MAX bytes): true when found. */
static bool find_module(search *s, char *out)
{
    const char *env = getenv("UGW_CLI_MODULE");
    char exe[PATH_MAX];
    ssize_t n;
    Dl_info info;

    if (env && *env) {
        int k = snprintf(out, PATH_MAX, "%s", env);
        if (k > 0 && k < PATH_MAX && access(out, F_OK) == 0)
            return true;
        snprintf(s->tried, sizeof s->tried, "%s (UGW_CLI_MODULE)", env);
        s->len = strlen(s->tried);
        return false;
    }
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        if (try_dir(s, exe, dir_len(exe), "", out, PATH_MAX)
            || try_dir(s, exe, dir_len(exe), UGW_CLI_MODULE_REL, out, PATH_MAX))
            return true;
    }
    /* The shared library that holds ugw_cli_main(), when it is one (when
     * linked statically, this is the executable again). */
    if (dladdr((void *)(uintptr_t)ugw_cli_main, &info) && info.dli_fname && strchr(info.dli_fname, '/')
        && (n <= 0 || strcmp(info.dli_fname, exe) != 0)) {
        size_t d = dir_len(info.dli_fname);
        if (try_dir(s, info.dli_fname, d, "", out, PATH_MAX) || try_dir(s, info.dli_fname, d, "ugw", out, PATH_MAX))
            return true;
    }
    return try_dir(s, UGW_CLI_MODULE_DIR, strlen(UGW_CLI_MODULE_DIR), "", out, PATH_MAX);
}

int cli_run_module(const ugw_cmd *cmd, int argc, char **argv)
{
    static search s; /* large: not on the stack */
    char path[PATH_MAX];
    const cli_module *m;
    const char *e;
    void *h;

    s.len = 0;
    s.tried[0] = '\0';
    if (!find_module(&s, path)) {
        fprintf(stderr, "%s %s: this command is in the module %s, which is not installed where it was "
                "looked for (%s); reinstall ugw, or set UGW_CLI_MODULE to the module's path\n",
                cli_name(), cmd->name, CLI_MODULE_FILE, s.tried);
        return EXIT_USAGE;
    }
    /* RTLD_LOCAL: the module's names (its own copy of the helpers, and of
     * the static libraries when built static) stay its own. */
    if (!(h = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
        e = dlerror();
        fprintf(stderr, "%s %s: cannot load the module %s: %s\n", cli_name(), cmd->name, path,
                e ? e : "unknown error");
        return EXIT_USAGE;
    }
    m = (const cli_module *)dlsym(h, CLI_MODULE_SYMBOL);
    if (!m || !m->abi || strcmp(m->abi, CLI_MODULE_ABI) != 0) {
        fprintf(stderr, "%s %s: %s is not the commands module of this build (found: %s; expected: %s); "
                "install the module of the same ugw, or set UGW_CLI_MODULE to it\n", cli_name(), cmd->name,
                path, m && m->abi ? m->abi : "no " CLI_MODULE_SYMBOL, CLI_MODULE_ABI);
        dlclose(h);
        return EXIT_USAGE;
    }
    /* Not closed: the command may leave threads or handlers behind until
     * the process exits. */
    return m->run(cli_app(), argc, argv);
}
