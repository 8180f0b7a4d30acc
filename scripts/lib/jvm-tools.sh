# Paths of the JVM tools the Kotlin suite uses; sourced by scripts/setup.d/kotlin.sh and
# scripts/test.d/kotlin.sh so both agree. Tools live outside the repository (never committed).
JETON_TOOLS=${JETON_TOOLS:-$HOME/.cache/jeton-tools}
KOTLIN_COMPILER_VERSION=2.4.20
KOTLINC_HOME=$JETON_TOOLS/kotlin-$KOTLIN_COMPILER_VERSION/node_modules/kotlin-compiler
KOTLINC=$KOTLINC_HOME/bin/kotlinc
JNA_JAR=/usr/share/java/jna.jar
JUNIT_CONSOLE_JAR=/usr/share/java/junit-platform-console-standalone.jar
# The real Android framework classes (API 34), used only as a compile-only classpath.
ANDROID_ALL_VERSION=14-robolectric-10818077
ANDROID_ALL_JAR=$HOME/.m2/repository/org/robolectric/android-all/$ANDROID_ALL_VERSION/android-all-$ANDROID_ALL_VERSION.jar
