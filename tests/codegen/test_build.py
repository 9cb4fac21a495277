"""Generated code built for real: every generated header compiles as C++11
(g++ -std=c++11 -Wall -Wextra -pedantic-errors), two prefixes and the bundled
bindings link into one C program with the runtime's codec and run, a schema
library exports exactly its UGW_API names, and the command's main() hands
ugw_cli_main() the right schema and fixtures.

The runtime's codec is compiled from runtime/codec/*.c (jsmn.h and msgpack-c
from the system). Skipped, with the reason, without the compilers or libraries.

    /usr/bin/python3 -m unittest discover -s tests/codegen -v
"""

import glob
import os
import shutil
import subprocess
import tempfile
import tomllib
import unittest

from codegen_support import *  # noqa: F401,F403

GXX = shutil.which("g++")
GCC = shutil.which("gcc")
CXXFLAGS = ["-Wall", "-Wextra", "-pedantic-errors", "-Werror", "-fsyntax-only"]
LINK_CFLAGS = ["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Wextra", "-Werror", "-Wshadow",
               "-Wstrict-prototypes", "-Wmissing-prototypes"]
RUNTIME_SOURCES = sorted(glob.glob(os.path.join(RUNTIME_CODEC, "*.c")))
CODEC_MISSING = (None if os.path.exists("/usr/include/jsmn.h") or os.path.exists("/usr/local/include/jsmn.h")
                 else "jsmn.h not found (apt-get install libjsmn-dev)")


def generate(out, *args):
    p = run_codegen("--quiet", "--schema", "schema/events.toml", "--out", out, *args)
    if p.returncode != 0:
        raise AssertionError(f"generation {args} failed:\n{p.stderr}")
    return read_tree(out)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


def cxx_program(prefix, events, header_dir, modern=False):
    """C++ that includes every header of a generation and uses its types,
    initialisers and inline functions; with `modern`, the C++20 macros too."""
    inc = f"{header_dir}/" if header_dir else ""
    P = prefix.upper()
    lines = [f"#include <{inc}{prefix}_events.h>", f"#include <{inc}{prefix}_fixtures.h>",
             f"#include <{inc}{prefix}_events_client.h>", "", "int use(ugw_client *c);", "int use(ugw_client *c)",
             "{", "    int n = 0;", "    ugw_error err;", "    ugw_outcome out;"]
    for e in events:
        eid, macro = e["id"], e["id"].upper()
        lines += [f"    {{ {prefix}_event ev = {prefix}_event_init({P}_EVENT_{macro});",
                  f"      {prefix}_{eid} v = {P}_{macro}_INIT;",
                  f"      ev.u.{eid} = v;",
                  f"      n += {prefix}_event_validate(&ev, &err) == UGW_OK;",
                  f"      n += {prefix}_{eid}_validate(&ev.u.{eid}, &err) == UGW_OK;",
                  f"      n += {prefix}_client_send(c, &ev, &out, &err) == UGW_OK;"]
        if modern:
            lines += [f"      {prefix}_event ev2 = {P}_EVENT_{macro}_INIT;", "      n += ev2.type == ev.type;"]
        lines += ["    }"]
    lines += [f"    n += {prefix}_client_enqueue(c, {prefix}_fixture({P}_EVENT_NONE), 0, NULL, NULL, &err) == UGW_OK;",
              f"    n += {prefix}_fixtures[0].type == 1 && {prefix}_schema_events.nevents == {P}_EVENT_COUNT;",
              "    return n;", "}", ""]
    return "\n".join(lines)


@unittest.skipUnless(GXX, "g++ not found: the C++ check of the generated headers needs it (apt-get install g++)")
class CxxHeaders(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ugw-codegen-cxx-")
        cls.out = os.path.join(cls.tmp.name, "out")
        cls.tree = generate(cls.out, "--prefix", "acme", "--header-dir", "acme", "--cli")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def compile_cxx(self, source, std, out=None):
        path = os.path.join(self.tmp.name, f"t_{len(os.listdir(self.tmp.name))}.cpp")
        with open(path, "w", encoding="utf-8") as f:
            f.write(source)
        return run([GXX, f"-std={std}", *CXXFLAGS, "-I", INCLUDE, "-I", out or self.out, path])

    def test_each_header_alone(self):
        headers = sorted(n for n in self.tree if n.endswith(".h"))
        self.assertEqual(headers, ["acme/acme_events.h", "acme/acme_events_client.h", "acme/acme_fixtures.h"])
        for h in headers:
            with self.subTest(header=h):
                p = self.compile_cxx(f"#include <{h}>\n#include <{h}>\n", "c++11")
                self.assertEqual(p.returncode, 0, p.stderr)

    def test_headers_in_use_cxx11(self):
        p = self.compile_cxx(cxx_program("acme", SCHEMA_DATA["event"], "acme"), "c++11")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_designated_initialiser_macros_cxx20(self):
        # The C macros P_EVENT_<ID>_INIT work in C++20, as the header says.
        p = self.compile_cxx(cxx_program("acme", SCHEMA_DATA["event"], "acme", modern=True), "c++20")
        if p.returncode != 0 and "c++20" in p.stderr and "unrecognized" in p.stderr:
            self.skipTest("g++ knows no -std=c++20")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_bundled_headers_cxx11(self):
        p = self.compile_cxx(cxx_program("ugw", SCHEMA_DATA["event"], BUNDLED_HEADER_DIR), "c++11", out=GENERATED)
        self.assertEqual(p.returncode, 0, p.stderr)


# The C program of the link test: three prefixes in one program. Each
# fixture of `acme` is encoded in both formats, decoded by `plus` and by the
# bundled `ugw`, encoded again (same bytes), and compared with the fixture
# files. The typed client calls of acme go to stubs of the runtime client.
LINK_MAIN = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <acme/acme_events.h>
#include <acme/acme_events_client.h>
#include <acme/acme_fixtures.h>
#include <plus_events.h>
#include <plus_fixtures.h>
#include <ugw/ugw_events.h>
#include <ugw/ugw_fixtures.h>

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); exit(1); } } while (0)

static const ugw_schema *seen_schema;
static int seen_type;
static const void *seen_payload;

ugw_status ugw_client_enqueue_event(ugw_client *c, const ugw_schema *schema, int type, const void *payload,
                                    int64_t wait_ms, void *user, char id_out[UGW_WEBHOOK_ID_MAX], ugw_error *err)
{
    (void)c; (void)wait_ms; (void)user; (void)id_out; (void)err;
    seen_schema = schema, seen_type = type, seen_payload = payload;
    return UGW_OK;
}

ugw_status ugw_client_send_event(ugw_client *c, const ugw_schema *schema, int type, const void *payload,
                                 ugw_outcome *out, ugw_error *err)
{
    (void)c; (void)out; (void)err;
    seen_schema = schema, seen_type = type, seen_payload = payload;
    return UGW_ERR_DELIVERY;
}

static unsigned char *slurp(const char *dir, const char *id, const char *ext, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/valid/%s.%s", dir, id, ext);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    static unsigned char buf[65536];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    CHECK(ACME_EVENT_COUNT == PLUS_EVENT_COUNT && ACME_EVENT_COUNT == UGW_EVENT_COUNT);
    CHECK(acme_schema_events.nevents == ACME_EVENT_COUNT);
    CHECK(&acme_schema_events != &plus_schema_events && &plus_schema_events != &ugw_schema_events);
    ugw_decoder *dec = ugw_decoder_new(NULL);
    CHECK(dec != NULL);
    for (int t = 1; t <= ACME_EVENT_COUNT; t++) {
        const acme_event *a = acme_fixture((acme_event_type)t);
        CHECK(a != NULL && (int)a->type == t);
        CHECK(strcmp(acme_event_id(a->type), plus_event_id((plus_event_type)t)) == 0);
        CHECK(acme_event_describe(a->type)->fingerprint == ugw_event_describe((ugw_event_type)t)->fingerprint);
        for (int f = 0; f < 2; f++) {
            ugw_format fmt = f ? UGW_FORMAT_MSGPACK : UGW_FORMAT_JSON;
            unsigned char enc[8192], enc2[8192], enc3[8192];
            size_t n = 0, n2 = 0, n3 = 0, flen = 0;
            ugw_error err;
            CHECK(acme_encode(a, fmt, enc, sizeof enc, &n, &err) == UGW_OK);
            const unsigned char *file = slurp(argv[1], acme_event_id(a->type), f ? "msgpack" : "json", &flen);
            CHECK(flen == n && memcmp(file, enc, n) == 0);
            plus_event p;
            CHECK(plus_decode(dec, fmt, enc, n, &p, &err) == UGW_OK);
            CHECK((int)p.type == t);
            CHECK(plus_encode(&p, fmt, enc2, sizeof enc2, &n2, &err) == UGW_OK);
            CHECK(n2 == n && memcmp(enc, enc2, n) == 0);
            ugw_event u;
            CHECK(ugw_decode(dec, fmt, enc, n, &u, &err) == UGW_OK);
            CHECK(ugw_encode(&u, fmt, enc3, sizeof enc3, &n3, &err) == UGW_OK);
            CHECK(n3 == n && memcmp(enc, enc3, n) == 0);
        }
        /* The typed client calls hand the runtime this schema, type and payload. */
        char id[UGW_WEBHOOK_ID_MAX];
        ugw_error err;
        CHECK(acme_client_enqueue(NULL, a, 0, NULL, id, &err) == UGW_OK);
        CHECK(seen_schema == &acme_schema_events && seen_type == t && seen_payload == (const void *)&a->u);
        CHECK(acme_client_send(NULL, a, NULL, &err) == UGW_ERR_DELIVERY);
        CHECK(seen_schema == &acme_schema_events && seen_type == t && seen_payload == (const void *)&a->u);
    }
    char id[UGW_WEBHOOK_ID_MAX];
    CHECK(acme_client_enqueue(NULL, NULL, 0, NULL, id, NULL) == UGW_OK);
    CHECK(seen_type == 0 && seen_payload == NULL);
    /* Initialisers: the C macros and acme_event_init() agree. */
    acme_event e1 = ACME_EVENT_@FIRST@_INIT;
    acme_event e2 = acme_event_init(ACME_EVENT_@FIRST@);
    CHECK(e1.type == e2.type && memcmp(&e1.u.@first@, &e2.u.@first@, sizeof e1.u.@first@) == 0);
    ugw_error err;
    CHECK(acme_event_validate(&e2, &err) == UGW_ERR_MISSING);
    e2.type = ACME_EVENT_NONE;
    CHECK(acme_event_validate(&e2, &err) == UGW_ERR_ARG);
    ugw_decoder_free(dec);
    puts("ok");
    return 0;
}
"""

# A stand-in for the ugw_cli library: checks what the generated main() hands over.
CLI_STUB = r"""
#include <stdio.h>
#include <string.h>

#include <ugw/ugw_cli.h>
#include <acme/acme_fixtures.h>

int ugw_cli_main(const ugw_cli_app *app, int argc, char **argv)
{
    (void)argv;
    if (argc != 1 || strcmp(app->name, "acme") != 0 || app->schema != &acme_schema_events)
        return 10;
    if (app->fixture_envelope != NULL) /* a schema without envelope fields */
        return 14;
#ifdef NO_FIXTURES
    if (app->fixture != NULL)
        return 11;
#else
    if (app->fixture == NULL || app->fixture(0) != NULL || app->fixture(ACME_EVENT_COUNT + 1) != NULL)
        return 12;
    for (int t = 1; t <= ACME_EVENT_COUNT; t++)
        if (app->fixture(t) != (const void *)&acme_fixture((acme_event_type)t)->u)
            return 13;
#endif
    puts("cli ok");
    return 0;
}
"""


@unittest.skipUnless(GCC, "gcc not found: the link tests need it")
@unittest.skipIf(CODEC_MISSING, CODEC_MISSING or "")
class LinkAndRun(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ugw-codegen-link-")
        cls.acme = os.path.join(cls.tmp.name, "acme")
        cls.plus = os.path.join(cls.tmp.name, "plus")
        generate(cls.acme, "--prefix", "acme", "--header-dir", "acme", "--cli")
        generate(cls.plus, "--prefix", "plus")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_two_prefixes_and_the_bundled_bindings_in_one_program(self):
        first = SCHEMA_DATA["event"][0]["id"]
        main = self.write("main.c", LINK_MAIN.replace("@FIRST@", first.upper()).replace("@first@", first))
        exe = os.path.join(self.tmp.name, "three")
        sources = [main, *RUNTIME_SOURCES,
                   os.path.join(self.acme, "acme_events.c"), os.path.join(self.acme, "acme_fixtures.c"),
                   os.path.join(self.plus, "plus_events.c"), os.path.join(self.plus, "plus_fixtures.c"),
                   os.path.join(GENERATED, "ugw_events.c"), os.path.join(GENERATED, "ugw_fixtures.c")]
        p = run([GCC, *LINK_CFLAGS, "-I", INCLUDE, "-I", RUNTIME_CODEC, "-I", self.acme, "-I", self.plus,
                 "-I", GENERATED, *sources, "-o", exe, "-lmsgpackc"])
        if p.returncode != 0 and "-lmsgpackc" in p.stderr:
            self.skipTest("msgpack-c not found (apt-get install libmsgpack-dev)")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run([exe, os.path.join(self.acme, "fixtures")])
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "ok\n", ""))

    def test_a_schema_library_exports_its_ugw_api_names(self):
        # Built with hidden visibility, as ugw's libraries are: UGW_API marks
        # every function and variable the headers declare, so these are
        # exported, and nothing else is.
        if not shutil.which("nm"):
            self.skipTest("nm not found")
        lib = os.path.join(self.tmp.name, "libacme.so")
        p = run([GCC, *LINK_CFLAGS, "-shared", "-fPIC", "-fvisibility=hidden", "-I", INCLUDE, "-I", self.acme,
                 os.path.join(self.acme, "acme_events.c"), os.path.join(self.acme, "acme_fixtures.c"), "-o", lib])
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run(["nm", "-D", "--defined-only", lib])
        self.assertEqual(p.returncode, 0, p.stderr)
        exported = {line.split()[-1] for line in p.stdout.splitlines() if line.strip()}
        declared = set()
        for h in ("acme_events.h", "acme_fixtures.h"):
            with open(os.path.join(self.acme, "acme", h), encoding="utf-8") as f:
                code = names_mod.strip_c(f.read())
            # Every declaration at file scope but types, macros and static inline functions.
            declared |= set(re.findall(r"^(?!static |typedef |#|\}| |extern \"C\")[^;{}\n]*?\b(acme_\w+)\s*[(\[;]",
                                       code, re.M))
        self.assertIn("acme_schema_events", declared)
        self.assertIn("acme_fixtures", declared)
        self.assertEqual(exported, declared)

    def cli(self, out, extra=()):
        stub = self.write("cli_stub.c", CLI_STUB)
        exe = os.path.join(self.tmp.name, "acme_cli")
        sources = [os.path.join(out, "acme_cli_main.c"), stub, *RUNTIME_SOURCES, os.path.join(out, "acme_events.c")]
        if os.path.exists(os.path.join(out, "acme_fixtures.c")):
            sources.append(os.path.join(out, "acme_fixtures.c"))
        p = run([GCC, *LINK_CFLAGS, *extra, "-I", INCLUDE, "-I", RUNTIME_CODEC, "-I", out, *sources, "-o", exe,
                 "-lmsgpackc"])
        return p, exe

    def test_cli_main_hands_over_schema_and_fixtures(self):
        p, exe = self.cli(self.acme)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run([exe])
        self.assertEqual((p.returncode, p.stdout), (0, "cli ok\n"), p.stderr)

    def test_cli_main_without_fixtures(self):
        out = os.path.join(self.tmp.name, "nofix")
        generate(out, "--prefix", "acme", "--header-dir", "acme", "--cli", "--no-fixtures")
        # The stub includes acme_fixtures.h for its checks; only the declarations are used.
        shutil.copy(os.path.join(self.acme, "acme", "acme_fixtures.h"), os.path.join(out, "acme"))
        p, exe = self.cli(out, ["-DNO_FIXTURES"])
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run([exe])
        self.assertEqual((p.returncode, p.stdout), (0, "cli ok\n"), p.stderr)


# Another project's schema: no url or string field, so no fixtures (the
# fixture corpus needs those); one event, schema version 3.
SHOP_SCHEMA = """\
version = 3

[field.orderId]
type = "id"
description = "The order."
example = 7

[field.total]
type = "int"
min = 0
max = 1000000
description = "Total in cents."
example = 1999

[[event]]
id = "order_paid"
event = "order.paid"
description = "An order was paid."
fields = ["orderId", "total"]
"""


@unittest.skipUnless(GCC and GXX, "gcc and g++ are needed (apt-get install g++)")
class OtherSchema(unittest.TestCase):

    def test_generates_and_compiles_as_c_and_cxx(self):
        with tempfile.TemporaryDirectory(prefix="ugw-codegen-shop-") as d:
            schema = os.path.join(d, "shop.toml")
            with open(schema, "w", encoding="utf-8") as f:
                f.write(SHOP_SCHEMA)
            out = os.path.join(d, "gen")
            p = run_codegen("--quiet", "--schema", schema, "--name", "shop.toml", "--out", out, "--prefix", "shop",
                            "--header-dir", "shop", "--no-fixtures", "--cli")
            self.assertEqual(p.returncode, 0, p.stderr)
            tree = read_tree(out)
            self.assertEqual(sorted(tree), ["events.schema.json", "events.strict.schema.json", "openapi.json",
                                            "openapi.strict.json", "shop/shop_events.h", "shop/shop_events_client.h",
                                            "shop_cli_main.c", "shop_events.c"])
            h = tree["shop/shop_events.h"].decode()
            self.assertIn("Generated from shop.toml (schema version 3)", h)
            self.assertIn("#define SHOP_EVENT_COUNT 1\n", h)
            p = run([GCC, *LINK_CFLAGS, "-pedantic-errors", "-fsyntax-only", "-I", INCLUDE, "-I", out,
                     os.path.join(out, "shop_events.c"), os.path.join(out, "shop_cli_main.c")])
            self.assertEqual(p.returncode, 0, p.stderr)
            unit = os.path.join(d, "t.cpp")
            with open(unit, "w", encoding="utf-8") as f:
                f.write(cxx_program("shop", tomllib.loads(SHOP_SCHEMA)["event"], "shop").replace(
                    "#include <shop/shop_fixtures.h>\n", "").replace(
                    "    n += shop_client_enqueue(c, shop_fixture(SHOP_EVENT_NONE), 0, NULL, NULL, &err) == UGW_OK;\n"
                    "    n += shop_fixtures[0].type == 1 && shop_schema_events.nevents == SHOP_EVENT_COUNT;\n", ""))
            p = run([GXX, "-std=c++11", *CXXFLAGS, "-I", INCLUDE, "-I", out, unit])
            self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    unittest.main()
