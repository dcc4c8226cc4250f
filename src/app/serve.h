// `authd [options]`: loads the configuration, resolves the data-dir
// secrets, opens the database, builds the services (app/services.h) and
// serves until SIGINT/SIGTERM.
#ifndef AUTHD_APP_SERVE_H_
#define AUTHD_APP_SERVE_H_

namespace authd::app {

// Exit code: 0 after a clean stop (or --help / --version), 1 when startup
// fails, 2 on a bad option or template directory.
int Serve(int argc, char** argv);

}  // namespace authd::app

#endif  // AUTHD_APP_SERVE_H_
