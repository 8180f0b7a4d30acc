#!/usr/bin/env bash
# Installs what the Kotlin (JVM) suite needs: the Kotlin compiler (npm `kotlin-compiler`, whose
# lib/ also ships kotlinx-coroutines-core), JNA and the JUnit 5 console launcher (Debian), and the
# Android framework classes (`org.robolectric:android-all`, Maven Central) that the Android-only
# sources are compiled against. Idempotent: quick when everything is there.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/jvm-tools.sh
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(default-jdk-headless)
[ -f "$JNA_JAR" ] || need_apt+=(libjna-java)
[ -f "$JUNIT_CONSOLE_JAR" ] || need_apt+=(junit5)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup(kotlin): installing ${need_apt[*]}"
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$KOTLINC" ]; then
  echo "setup(kotlin): installing kotlin-compiler $KOTLIN_COMPILER_VERSION from npm"
  mkdir -p "$(dirname "$(dirname "$KOTLINC_HOME")")"
  npm install --silent --no-audit --no-fund --prefix "$(dirname "$(dirname "$KOTLINC_HOME")")" \
    "kotlin-compiler@$KOTLIN_COMPILER_VERSION" >/dev/null
  chmod +x "$KOTLINC_HOME"/bin/*
fi

if [ ! -f "$ANDROID_ALL_JAR" ]; then
  echo "setup(kotlin): fetching org.robolectric:android-all:$ANDROID_ALL_VERSION from Maven Central"
  mvn -q -B dependency:get -Dtransitive=false \
    -Dartifact="org.robolectric:android-all:$ANDROID_ALL_VERSION"
fi
