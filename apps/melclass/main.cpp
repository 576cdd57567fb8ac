// melclass: train, evaluate and run music classifiers on mel spectrograms.

#include <iostream>

#include "commands.h"
#include "melclass/core/error.h"
#include "melclass/core/runtime.h"

int main(int argc, char** argv) {
  melclass::configure_allocator();  // before LibTorch allocates anything
  CLI::App app{"melclass: music classification on mel spectrograms (AI Rush 2020 rush4/5/6)"};
  app.name("melclass");
  app.require_subcommand(1);
  melclass::app::add_train_command(app);
  melclass::app::add_cv_command(app);
  melclass::app::add_predict_command(app);
  melclass::app::add_evaluate_command(app);
  melclass::app::add_report_command(app);
  melclass::app::add_synth_command(app);
  melclass::app::add_demo_command(app);
  melclass::app::add_extract_command(app);
  if (argc == 1) {  // no arguments: the overview, not an error
    std::cout << app.help();
    return 0;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    // One line, as every other failure: CLI11 would add "Run with --help ...".
    std::cerr << "melclass: error: " << e.what() << " (see --help)" << std::endl;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "melclass: error: " << melclass::describe_exception(e) << std::endl;
    return 1;
  } catch (...) {
    std::cerr << "melclass: error: unknown failure" << std::endl;
    return 1;
  }
  return 0;
}
