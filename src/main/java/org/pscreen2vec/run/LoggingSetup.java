package org.pscreen2vec.run;

import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.AppenderComponentBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.api.LoggerComponentBuilder;
import org.apache.logging.log4j.core.config.builder.api.RootLoggerComponentBuilder;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;

/**
 * Log4j2 set up in code, once the rank is known: every line carries {@code [r3/8 worker]}; the
 * console gets {@code consoleLevel}; a per-rank file in the run folder (when there is one) gets
 * INFO or finer. In a multicore job each rank has its own class loader and so its own Log4j2.
 */
public final class LoggingSetup {
  /**
   * A logger whose lines go only to the rank's log file (nowhere when there is none): the stack
   * trace of a failure whose one-line message the console already shows.
   */
  public static final String FILE_ONLY = "pscreen2vec.file-only";

  private LoggingSetup() {}

  public static void configure(String prefix, Level consoleLevel, Path logFile) {
    ConfigurationBuilder<BuiltConfiguration> b = ConfigurationBuilderFactory.newConfigurationBuilder();
    b.setStatusLevel(Level.ERROR);
    b.setConfigurationName("pscreen2vec");
    String pattern = "%d{HH:mm:ss.SSS} " + prefix.replace("%", "%%") + " %-5level %c{1} - %msg%n";
    AppenderComponentBuilder console = b.newAppender("console", "Console")
        .addAttribute("target", ConsoleAppender.Target.SYSTEM_ERR);
    console.add(b.newLayout("PatternLayout").addAttribute("pattern", pattern));
    b.add(console);
    Level root = consoleLevel;
    RootLoggerComponentBuilder rootLogger;
    if (logFile != null) {
      AppenderComponentBuilder file = b.newAppender("file", "File")
          .addAttribute("fileName", logFile.toString())
          .addAttribute("append", true)
          .addAttribute("immediateFlush", true);
      file.add(b.newLayout("PatternLayout").addAttribute("pattern",
          "%d{yyyy-MM-dd HH:mm:ss.SSS} " + prefix.replace("%", "%%")
              + " %-5level [%t] %c - %msg%n%throwable"));
      b.add(file);
      // The file keeps INFO even where the console shows only warnings; finer if asked.
      root = consoleLevel.isLessSpecificThan(Level.INFO) ? consoleLevel : Level.INFO;
      rootLogger = b.newRootLogger(root)
          .add(b.newAppenderRef("console").addAttribute("level", consoleLevel))
          .add(b.newAppenderRef("file"));
    } else {
      rootLogger = b.newRootLogger(root).add(b.newAppenderRef("console"));
    }
    b.add(rootLogger);
    LoggerComponentBuilder fileOnly = b.newLogger(FILE_ONLY,
        logFile != null ? Level.ALL : Level.OFF).addAttribute("additivity", false);
    if (logFile != null) {
      fileOnly.add(b.newAppenderRef("file"));
    }
    b.add(fileOnly);
    // ND4J and its helpers are chatty at INFO; keep them to warnings unless asked for DEBUG.
    Level libs = consoleLevel.isLessSpecificThan(Level.DEBUG) ? consoleLevel : Level.WARN;
    b.add(b.newLogger("org.nd4j", libs));
    b.add(b.newLogger("org.reflections", libs));
    Configurator.reconfigure(b.build());
  }
}
