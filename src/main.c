/* main.c - the baoho binary: dispatches to the subcommands in src/cli/. */
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>

#include "cli/cli.h"

static const char main_usage[] =
    "usage: baoho COMMAND [options]   (baoho COMMAND --help for each)\n\n"
    "  serve            run the HTTP server (API, console, public pages)\n"
    "  user add         add an officer; password on standard input\n"
    "  token create     create an API token for a user (printed once)\n"
    "  import persons   import persons from CSV\n"
    "  export persons   export persons as CSV\n"
    "  demo             load the demo scenario into the database\n"
    "  gen persons      write synthetic persons as CSV\n"
    "  match            find the people of a list in another file or in the registry\n"
    "  dedupe           likely duplicate persons in the registry\n"
    "  version          print the version\n";

int main(int argc, char **argv) {
  static const struct {
    const char *name;
    int (*run)(int, char **);
  } commands[] = {{"serve", cli_serve},   {"user", cli_user},   {"token", cli_token},
                  {"import", cli_import}, {"export", cli_export}, {"demo", cli_demo},
                  {"gen", cli_gen}, {"match", cli_match}, {"dedupe", cli_dedupe}};
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    fputs(main_usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
  }
  if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
    printf("baoho %s\n", BAOHO_VERSION);
    return CLI_EXIT_OK;
  }
  xmlInitParser(); /* once, before any thread uses libxml2 */
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
    if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
  }
  fprintf(stderr, "baoho: unknown command '%s'\n%s", argv[1], main_usage);
  return CLI_EXIT_USAGE;
}
