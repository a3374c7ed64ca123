#!/usr/bin/env bash
# The command line's Unix habits (issue 20), as a user meets them: a missing input reported
# before any model is loaded, `-` for stdin/stdout, --format for one file, several inputs
# and globs, -i, stdout/stderr and -q/-v, doctor's colours, shell completions. Fast: the
# built-in `classic` style, the built-in inpainting methods and tiny generated images; no
# weights needed.
# usage: habits_test.sh TOONBOX_BINARY
set -uo pipefail
toonbox=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
shared=$(realpath -m "${TOONBOX_SHARED_DIR:-$here/../../../shared}")
. "$here/lib.sh"
python3 "$here/make_fixtures.py" in >/dev/null
(mkdir -p ip && cd ip && python3 "$here/make_inpaint_fixtures.py")
mkdir -p out
lacks() { if ! grep -q -- "$2" log; then ok "$1"; else bad "$1: output has '$2'"; fi; }
absent() { if [ ! -e "$2" ]; then ok "$1"; else bad "$1: $2 exists"; fi; }
empty() { if [ ! -s "$2" ]; then ok "$1"; else bad "$1: $2 has $(wc -c <"$2") bytes"; fi; }
# magic FILE HEX: the file starts with these bytes.
magic() {
  local got; got=$(od -An -tx1 -N$((${#3} / 2)) "$2" 2>/dev/null | tr -d ' \n')
  if [ "$got" = "$3" ]; then ok "$1"; else bad "$1: starts with '$got', expected '$3'"; fi
}
on_stdout() { if grep -q -- "$2" stdout; then ok "$1"; else bad "$1: stdout lacks '$2'"; fi; }
# png_size FILE: WxH from the IHDR.
png_size() { python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(); print('%dx%d' % struct.unpack('>II', d[16:24]))" "$1"; }
# piped EXIT "what" STDIN_FILE command...: stdout to ./stdout, stderr to ./log.
piped() {
  local want=$1 what=$2 from=$3; shift 3
  "$@" <"$from" >stdout 2>log; local got=$?
  if [ "$got" = "$want" ]; then ok "$what"; else bad "$what (exit $got, expected $want)"; fi
}

## 1. A missing or unreadable input is reported before any model is loaded.
# The models named here are not installed: a command that loaded its model first would
# fail on the model, not on the file, and would print its model/device lines first.
expect 1 "cartoonize: a missing input fails" "$toonbox" cartoonize in/nope.jpg -o out/m.png --model whitebox --device cpu
contains "cartoonize: the missing file is named" "in/nope.jpg"
contains "cartoonize: and the problem" "No such file"
lacks "cartoonize: before the model is loaded" "not installed"
lacks "cartoonize: no device line first" "device:"
expect 1 "upscale: a missing input fails" "$toonbox" upscale in/nope.jpg -o out/m.png -s 2 --device cpu
contains "upscale: the missing file is named" "in/nope.jpg"
lacks "upscale: before the model is loaded" "realesr-animevideov3"
lacks "upscale: no model line first" "model:"
expect 1 "restore: a missing input fails" "$toonbox" restore in/nope.jpg -o out/m.png --device cpu
contains "restore: the missing file is named" "in/nope.jpg"
lacks "restore: no device line first" "device:"
expect 1 "inpaint: a missing image fails" "$toonbox" inpaint in/nope.jpg --mask ip/mask.png -o out/m.png --model lama
contains "inpaint: the missing image is named" "in/nope.jpg"
lacks "inpaint: before the model is loaded" "not installed"
expect 1 "inpaint: a missing mask fails" "$toonbox" inpaint ip/photo.png --mask ip/nope.png -o out/m.png --model lama
contains "inpaint: the missing mask is named" "ip/nope.png"
lacks "inpaint: mask checked before the model" "not installed"
expect 1 "run: a missing input fails" "$toonbox" run in/nope.jpg --model nowhere/m.onnx -o out/m.png --device cpu
contains "run: the missing file is named" "in/nope.jpg"
lacks "run: before the model is loaded" "nowhere/m.onnx"
mkfifo in/fifo.png
expect 1 "a FIFO is not read (it could block forever)" "$toonbox" cartoonize in/fifo.png -o out/m.png --model whitebox --device cpu
contains "the FIFO is named, with the reason" "in/fifo.png: not a regular file"
if [ "$(id -u)" != 0 ]; then
  cp in/rgb.png in/locked.png && chmod 000 in/locked.png
  expect 1 "an unreadable input fails" "$toonbox" cartoonize in/locked.png -o out/m.png --model whitebox --device cpu
  contains "unreadable: named, with the reason" "in/locked.png: cannot open: Permission denied"
else
  echo "skip - unreadable file: root reads every file"
fi
absent "nothing written for a missing input" out/m.png
wb="$shared/models/whitebox-cartoon/tfjs-float16"
if [ -f "$wb/model.json" ]; then
  start=$(date +%s%N)
  expect 1 "a real model given, the input missing" "$toonbox" cartoonize in/nope.jpg -o out/m.png --model "$wb" --device cpu
  ms=$((($(date +%s%N) - start) / 1000000))
  if [ "$ms" -lt 1500 ]; then ok "fails in ${ms} ms: the model was not loaded"; else bad "took ${ms} ms: was the model loaded?"; fi
else
  echo "skip - timing with the White-box model: $wb not found"
fi

## 2. `-` for stdin and stdout.
"$toonbox" cartoonize in/rgb.png -o in/photo.jpg --device cpu >/dev/null 2>&1
piped 0 "stdin to stdout" in/photo.jpg "$toonbox" cartoonize - -o - --format png --device cpu
magic "stdout holds a PNG" stdout 89504e470d0a1a0a
[ "$(png_size stdout)" = 61x47 ] && ok "the PNG has the input's size" || bad "the PNG has the input's size: $(png_size stdout)"
contains "status lines go to stderr" "device: cpu"
contains "the result line names stdout" "wrote stdout"
cp stdout out/piped.png
expect 0 "the piped PNG decodes" "$toonbox" cartoonize out/piped.png -o out/piped2.png --device cpu --json
contains "and has the input's width" '"width":61'
piped 0 "stdin (a PNG) to a file" in/rgb.png "$toonbox" cartoonize - -o out/from_stdin.jpg --device cpu
magic "the file is a JPEG" out/from_stdin.jpg ffd8ff
on_stdout "the file written is named on stdout" "wrote out/from_stdin.jpg"
piped 0 "a file to stdout as WebP" /dev/null "$toonbox" cartoonize in/rgba.png -o - --format webp --device cpu
magic "stdout holds a WebP" stdout 52494646
piped 0 "stdin with --json and a file output" in/rgb.png "$toonbox" cartoonize - -o out/j.png --device cpu --json
if grep -q '"input":"-"' stdout; then ok "JSON names the input '-'"; else bad "JSON names the input '-'"; fi
piped 2 "-o - needs --format" in/rgb.png "$toonbox" cartoonize - -o - --device cpu
contains "says --format is needed" "add --format"
empty "nothing on stdout after the refusal" stdout
piped 2 "--json with -o - is refused" in/rgb.png "$toonbox" cartoonize - -o - --format png --json --device cpu
contains "the clash is explained" "--json and -o - both want stdout"
empty "no JSON or image on stdout" stdout
piped 1 "empty stdin" /dev/null "$toonbox" cartoonize - -o - --format png --device cpu
contains "empty stdin named" "stdin: no bytes"
empty "nothing on stdout for empty stdin" stdout
piped 1 "stdin that is not an image" in/unknown.jpg "$toonbox" cartoonize - -o - --format png --device cpu
contains "stdin's problem named" "stdin: .*unknown image format"
empty "nothing on stdout for a bad stdin" stdout
head -c 68000000 /dev/zero >in/big.bin
piped 1 "stdin over the size limit" in/big.bin "$toonbox" cartoonize - -o - --format png --max-pixels 1 --device cpu
contains "the limit is stated" "stdin: more than the limit of 67108872 bytes"
empty "nothing on stdout over the limit" stdout
rm -f in/big.bin
piped 1 "stdin over the pixel limit" in/rgb.png "$toonbox" cartoonize - -o - --format png --max-pixels 100 --device cpu
empty "nothing on stdout over the pixel limit" stdout
piped 0 "inpaint: stdin to stdout" ip/photo.png "$toonbox" inpaint - --mask ip/mask.png -o - --format png --model telea
magic "inpaint: stdout holds a PNG" stdout 89504e47
[ "$(png_size stdout)" = 200x150 ] && ok "inpaint: the photo's size" || bad "inpaint: the photo's size: $(png_size stdout)"
contains "inpaint: its lines go to stderr" "pixels filled"
piped 2 "inpaint: the mask cannot be stdin" ip/mask.png "$toonbox" inpaint ip/photo.png --mask - -o out/i.png
contains "inpaint: says why" "the mask cannot come from stdin"
piped 0 "inpaint: --mask alpha from stdin" ip/photo_alpha.png "$toonbox" inpaint - --mask alpha -o out/ia.png --model telea
on_stdout "inpaint: the file written is named on stdout" "wrote out/ia.png"
piped 2 "upscale: -o - needs --format" in/rgb.png "$toonbox" upscale - -o - -s 2 --device cpu
contains "upscale: says --format is needed" "add --format"
piped 1 "upscale: stdin read, then the missing model named" in/rgb.png "$toonbox" upscale - -o - --format png -s 2 --device cpu
contains "upscale: names the model" "realesr-animevideov3-x2"
empty "upscale: nothing on stdout" stdout
piped 1 "restore: stdin read, then the missing model named" in/rgb.png "$toonbox" restore - -o - --format png --device cpu
empty "restore: nothing on stdout" stdout

## 3. --format for one file.
expect 0 "--format sets the format of a name without an extension" "$toonbox" cartoonize in/rgb.png -o out/noext --format webp --device cpu
magic "out/noext holds a WebP" out/noext 52494646
expect 0 "--format agreeing with the extension" "$toonbox" cartoonize in/rgb.png -o out/agree.jpeg --format jpg --device cpu
magic "out/agree.jpeg is a JPEG" out/agree.jpeg ffd8ff
expect 2 "--format disagreeing with the extension is refused" "$toonbox" cartoonize in/rgb.png -o out/a.jpg --format png --device cpu
contains "both are named" "out/a.jpg: the extension .jpg disagrees with --format png"
absent "nothing written for the disagreement" out/a.jpg
expect 2 "an unknown extension disagrees with any --format" "$toonbox" cartoonize in/rgb.png -o out/a.gif --format png --device cpu
expect 2 "a bad --format value" "$toonbox" cartoonize in/rgb.png -o out/b.png --format gif --device cpu
contains "the allowed formats are listed" "--format must be png, jpg, jpeg or webp (got 'gif')"
expect 2 "upscale: --format disagreeing refused before the model" "$toonbox" upscale in/rgb.png -o out/u.webp --format png -s 2 --device cpu
contains "upscale: both named" "disagrees with --format png"
expect 0 "inpaint: --format for a file" "$toonbox" inpaint ip/photo.png --mask ip/mask.png -o out/inp --format jpg --model telea
magic "inpaint: out/inp is a JPEG" out/inp ffd8ff

## 4. Several inputs and glob patterns: run like a folder into -o OUTDIR.
mkdir -p in/sub && cp in/rgb.png in/sub/rgb.jpg
expect 0 "several inputs into a new folder" "$toonbox" cartoonize in/rgb.png in/rgba.png in/photo.jpg -o out/many/ --device cpu
for name in rgb rgba photo; do
  [ -s "out/many/$name.png" ] && ok "out/many/$name.png written" || bad "out/many/$name.png written"
done
contains "a summary line (JSON lines off a terminal)" '"ok":3'
expect 0 "--format names the outputs' extension" "$toonbox" cartoonize in/rgb.png in/rgba.png -o out/many_jpg --format jpg --device cpu
magic "out/many_jpg/rgb.jpg is a JPEG" out/many_jpg/rgb.jpg ffd8ff
expect 2 "a name collision between inputs is refused" "$toonbox" cartoonize in/rgb.png in/sub/rgb.jpg -o out/coll --device cpu
contains "the collision lists both inputs" "rgb.png <- in/rgb.png, in/sub/rgb.jpg"
absent "nothing created for a collision" out/coll
expect 1 "one bad input fails alone" "$toonbox" cartoonize in/rgb.png in/unknown.jpg in/nope.png -o out/some_bad --device cpu
[ -s out/some_bad/rgb.png ] && ok "the good input is written" || bad "the good input is written"
contains "the bad input is named" "in/unknown.jpg"
contains "the missing input is named" "in/nope.png"
contains "the summary counts the failures" '"failed":2'
expect 0 "a quoted pattern is expanded" "$toonbox" cartoonize 'in/rgb*.png' -o out/glob --device cpu
[ -s out/glob/rgb.png ] && [ -s out/glob/rgba.png ] && ok "both matches written" || bad "both matches written"
absent "a non-image match is not taken" out/glob/unknown.png
expect 1 "a pattern matching nothing" "$toonbox" cartoonize 'in/zz*.png' -o out/none --device cpu
contains "the pattern is named" "in/zz\*.png: no image file"
expect 2 "several inputs to stdout are refused" "$toonbox" cartoonize in/rgb.png in/rgba.png -o - --format png --device cpu
contains "says why" "several inputs need -o OUTDIR"
expect 2 "several inputs into an image name are refused" "$toonbox" cartoonize in/rgb.png in/rgba.png -o out/x.png --device cpu
contains "says it looks like a file" "looks like an image file name"
expect 2 "a folder among several inputs is refused" "$toonbox" cartoonize in in/rgb.png -o out/mixed --device cpu
contains "the folder is named" "in: is a folder"
expect 2 "--recursive with a list is refused" "$toonbox" cartoonize in/rgb.png in/rgba.png -o out/rec --recursive --device cpu
expect 2 "a folder to stdout is refused" "$toonbox" cartoonize in -o - --format png --device cpu
absent "no folder named '-' made" ./-
expect 2 "stdin among several inputs is refused" "$toonbox" cartoonize - in/rgb.png -o out/stdin_many --device cpu
expect 0 "inpaint: several images, one mask" "$toonbox" inpaint ip/in/a.png ip/in/b.png --mask ip/mask.png -o out/ip_many --model telea
[ -s out/ip_many/a.png ] && [ -s out/ip_many/b.png ] && ok "inpaint: both written" || bad "inpaint: both written"

## 5. -i/--input names INPUT.
expect 0 "-i INPUT" "$toonbox" cartoonize -i in/rgb.png -o out/i.png --device cpu
[ -s out/i.png ] && ok "-i: output written" || bad "-i: output written"
expect 0 "--input=INPUT" "$toonbox" cartoonize --input=in/rgb.png -o out/i2.png --device cpu
expect 0 "-i repeated: several inputs" "$toonbox" cartoonize -i in/rgb.png -i in/rgba.png -o out/i_many --device cpu
[ -s out/i_many/rgb.png ] && [ -s out/i_many/rgba.png ] && ok "-i repeated: both written" || bad "-i repeated: both written"
expect 2 "-i without a value" "$toonbox" cartoonize -o out/i3.png -i
contains "says -i needs a value" "option --input needs a value"
expect 1 "upscale -i: the missing input named" "$toonbox" upscale -i in/nope.jpg -o out/u.png -s 2 --device cpu
contains "upscale -i: named" "in/nope.jpg"
expect 1 "restore -i: the missing input named" "$toonbox" restore -i in/nope.jpg -o out/r.png --device cpu
contains "restore -i: named" "in/nope.jpg"
expect 0 "inpaint -i" "$toonbox" inpaint -i ip/photo.png --mask ip/mask.png -o out/ii.png --model telea
expect 1 "run -i (then the missing model)" "$toonbox" run -i in/rgb.png --model nowhere/m.onnx -o out/r.png --device cpu
lacks "run -i is no unknown option" "unknown option"

## 6. Results on stdout, status on stderr; -q and -v.
# split EXIT "what" command...: stdout to ./stdout, stderr to ./log.
split() { piped "$1" "$2" /dev/null "${@:3}"; }
err_has() { if grep -q -- "$2" log; then ok "$1"; else bad "$1: stderr lacks '$2'"; fi; }
split 0 "one image, default verbosity" "$toonbox" cartoonize in/rgb.png -o out/v1.png --device cpu
on_stdout "the file written is a result: stdout" "wrote out/v1.png"
err_has "the model line is status: stderr" "model: classic"
err_has "the device line is status: stderr" "device: cpu"
if grep -q "model:\|device:" stdout; then bad "no status on stdout"; else ok "no status on stdout"; fi
split 0 "-q" "$toonbox" cartoonize in/rgb.png -o out/v2.png --device cpu -q
empty "-q: nothing on stdout" stdout
empty "-q: nothing on stderr" log
[ -s out/v2.png ] && ok "-q: still written" || bad "-q: still written"
split 2 "-q still reports errors" "$toonbox" cartoonize in/rgb.png -o out/v2.png --device cpu --quiet
err_has "-q: the error is on stderr" "already exists"
split 0 "-q --json" "$toonbox" cartoonize in/rgb.png -o out/v3.png --device cpu -q --json
on_stdout "-q --json: the JSON still comes" '"ok":true'
split 0 "-v" "$toonbox" cartoonize in/rgb.png -o out/v4.png --device cpu -v
err_has "-v: the timings block (stderr)" "timings (ms):"
err_has "-v: device details" "device details: cpu"
if grep -q "inference warm" log stdout; then bad "-v: no warm run (only --timings pays for it)"; else ok "-v: no warm run (only --timings pays for it)"; fi
split 0 "--timings" "$toonbox" cartoonize in/rgb.png -o out/v5.png --device cpu --timings
on_stdout "--timings: the block is a result (stdout)" "inference warm"
split 2 "-q with -v is refused" "$toonbox" cartoonize in/rgb.png -o out/v6.png --device cpu -q -v
err_has "-q -v: says they contradict" "contradict"
split 0 "inpaint -v" "$toonbox" inpaint ip/photo.png --mask ip/mask.png -o out/v7.png --model telea -v
err_has "inpaint -v: the mask's size" "pixels to fill"
split 0 "several inputs -q: no JSON lines unless --json" "$toonbox" cartoonize in/rgb.png in/rgba.png -o out/vq -q --device cpu
empty "several -q: nothing on stdout" stdout
empty "several -q: nothing on stderr" log
split 1 "several -q with a failure" "$toonbox" cartoonize in/rgb.png in/unknown.jpg -o out/vqf -q --device cpu
err_has "several -q: the failure is named on stderr" "in/unknown.jpg: unknown image format"
empty "several -q: still nothing on stdout" stdout
# On a terminal: the progress bar and header are status (stderr), the summary a result.
script -qc "'$toonbox' cartoonize in/rgb.png in/rgba.png -o out/vt --device cpu 2>/dev/null" /dev/null >log
contains "terminal: the summary on stdout" "2 of 2 images written to out/vt"
lacks "terminal: no progress bar on stdout" "\[####"
lacks "terminal: no header on stdout" "images to cartoonize"
script -qc "'$toonbox' cartoonize in/rgb.png in/rgba.png -o out/vt2 --device cpu 2>$work/log" /dev/null >/dev/null
contains "terminal: the progress bar on stderr" "2/2"
contains "terminal: the header on stderr" "2 images to cartoonize into out/vt2"

## 7. Colour in doctor: only on a terminal, never with NO_COLOR set, --color to choose.
esc=$'\033['  # an ANSI escape, matched as a fixed string
coloured() { if grep -qF "$esc" "$2"; then ok "$1"; else bad "$1: no colour in $2"; fi; }
plain() { if grep -qF "$esc" "$2"; then bad "$1: colour in $2"; else ok "$1"; fi; }
doctor_to() { local file=$1; shift; "$@" >"$file" 2>&1; [ -s "$file" ] || echo "(empty)" >"$file"; }
doctor_to out/doc_pipe.txt env -u NO_COLOR "$toonbox" doctor
plain "doctor into a pipe: no colour" out/doc_pipe.txt
doctor_to out/doc_always.txt env NO_COLOR=1 "$toonbox" doctor --color=always
coloured "--color=always colours a pipe, even with NO_COLOR (the flag wins)" out/doc_always.txt
if grep -qP '\x1b\[3[123]m\[( ok |warn|FAIL)\]\x1b\[0m' out/doc_always.txt; then
  ok "tags are painted and reset"
else
  bad "tags are painted and reset"
fi
doctor_to out/doc_tty.txt env -u NO_COLOR script -qc "'$toonbox' doctor" /dev/null
coloured "doctor on a terminal: colour" out/doc_tty.txt
doctor_to out/doc_tty_empty.txt env NO_COLOR= script -qc "'$toonbox' doctor" /dev/null
coloured "NO_COLOR empty counts as unset" out/doc_tty_empty.txt
doctor_to out/doc_tty_nc.txt env NO_COLOR=1 script -qc "'$toonbox' doctor" /dev/null
plain "NO_COLOR=1 on a terminal: no colour" out/doc_tty_nc.txt
doctor_to out/doc_tty_never.txt env -u NO_COLOR script -qc "'$toonbox' doctor --color never" /dev/null
plain "--color never on a terminal: no colour" out/doc_tty_never.txt
expect 2 "a bad --color" "$toonbox" doctor --color=rainbow
contains "--color's values listed" "--color must be auto, always or never"

## 8. Shell completions, generated from the command and option tables.
expect 0 "completion bash" "$toonbox" completion bash
cp log out/toonbox.bash
bash -n out/toonbox.bash && ok "the bash script parses" || bad "the bash script parses"
# complete_words WORD...: what bash offers for the last word after sourcing the script.
complete_words() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _toonbox; echo "${COMPREPLY[*]}"' _ out/toonbox.bash "$@"
}
if bash -c 'source out/toonbox.bash && complete -p toonbox' >log 2>&1; then ok "complete -p toonbox works"; else bad "complete -p toonbox works"; fi
contains "the completion function is registered" "-F _toonbox toonbox"
[ "$(complete_words toonbox cart)" = cartoonize ] && ok "commands complete" || bad "commands complete: '$(complete_words toonbox cart)'"
[ "$(complete_words toonbox cartoonize --ou)" = --output ] && ok "a command's flags complete" || bad "flags complete: '$(complete_words toonbox cartoonize --ou)'"
case " $(complete_words toonbox upscale -) " in *" -i "*" --quiet "*) ok "new flags (-i, --quiet) complete without editing a script" ;; *) bad "new flags complete" ;; esac
[ "$(complete_words toonbox models re)" = remove ] && ok "subcommands complete" || bad "subcommands complete: '$(complete_words toonbox models re)'"
case " $(complete_words toonbox cartoonize --model in/rg) " in *" in/rgb.png "*) ok "files after a flag with a value" ;; *) bad "files after a flag with a value" ;; esac
[ "$(complete_words toonbox completion z)" = zsh ] && ok "the shells complete" || bad "the shells complete"
expect 0 "completion zsh" "$toonbox" completion zsh
contains "zsh: a compdef script" "#compdef toonbox"
expect 0 "completion fish" "$toonbox" completion fish
contains "fish: the flags of a command" "__fish_seen_subcommand_from cartoonize' -l output -s o -r -F"
for sh in zsh fish; do
  if command -v "$sh" >/dev/null; then
    "$toonbox" completion "$sh" >"out/toonbox.$sh" && "$sh" -n "out/toonbox.$sh" && ok "$sh parses its script" || bad "$sh parses its script"
  else
    echo "skip - $sh is not installed: its script is not parsed"
  fi
done
expect 2 "completion for an unknown shell" "$toonbox" completion tcsh
contains "the shell is named" "no completion for the shell 'tcsh'"

## 9. The parser (CLI11): "did you mean", refusals, generated help.
expect 2 "a mistyped option is refused" "$toonbox" cartoonize in/rgb.png -o out/s.png --devcie cpu
contains "the option is named" "unknown option '--devcie'"
contains "and the right one suggested" "did you mean --device?"
absent "nothing written for a mistyped option" out/s.png
expect 2 "a mistyped --option=value" "$toonbox" upscale in/rgb.png -o out/s.png --scael=2
contains "suggested with a value too" "unknown option '--scael' (did you mean --scale?)"
expect 2 "an option far from any" "$toonbox" run --model m.onnx in/rgb.png -o out/s.png --frobnicate
contains "refused" "unknown option '--frobnicate'"
lacks "nothing suggested for a stranger" "did you mean"
expect 2 "a mistyped command" "$toonbox" cartonize in/rgb.png -o out/s.png
contains "the command is named" "unknown command 'cartonize'"
contains "and the right one suggested" "did you mean cartoonize?"
expect 2 "help for a mistyped command" "$toonbox" help upsacle
contains "help suggests too" "did you mean upscale?"
expect 2 "a flag given a value" "$toonbox" cartoonize in/rgb.png -o out/s.png --json=1
contains "says the flag takes none" "option --json takes no value"
expect 2 "an option missing its value at the end" "$toonbox" upscale in/rgb.png -o
contains "says it needs a value" "option --output needs a value"
expect 0 "-- ends the options" "$toonbox" cartoonize -o out/dash.png --device cpu -- in/rgb.png
[ -s out/dash.png ] && ok "-- : the input after it is read" || bad "-- : the input after it is read"
expect 2 "-qv bundles both flags" "$toonbox" cartoonize in/rgb.png -o out/qv.png -qv --device cpu
contains "both were seen" "contradict"
expect 0 "run --help" "$toonbox" run --help
contains "run: generated option list, long and short" "-o,--output PATH"
contains "run: --format documented" "--format EXT"
contains "run: continuation lines kept" "output op: Tanh -1,1"
expect 0 "upscale --help" "$toonbox" upscale --help
contains "upscale: the folder heading" "folders (INPUT is a directory):"
contains "upscale: a folder option under it" "--skip-existing"
for cmd in restore inpaint; do
  expect 0 "$cmd --help" "$toonbox" "$cmd" --help
  contains "$cmd: generated option list" "-o,--output PATH"
  contains "$cmd: the folder heading" "folders (INPUT is a directory):"
done
expect 0 "models --help" "$toonbox" models --help
contains "models: the download heading" "^download:"
contains "models: a download option under it" "-y,--yes"
expect 0 "bench --help" "$toonbox" bench --help
contains "bench: the pipeline-mode heading" "^pipeline mode"
contains "bench: the exit codes after the lists" "3 --compare found a regression"
# Every command with an option table (every one `toonbox help` lists but completion): its
# --help lists every option of the table, long and short names, generated from the
# table's help texts (option_help.h) — an option without a help text is missing from the
# list and fails here; and every option the help lists completes (completion is
# generated from the same tables).
"$toonbox" completion bash >out/toonbox.bash
commands=$("$toonbox" help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$commands" ] && ok "toonbox help lists the commands" || bad "toonbox help lists the commands"
for cmd in $commands; do
  [ "$cmd" = completion ] && continue  # no option table: it takes a shell's name
  words=" $(complete_words toonbox "$cmd" -) "
  help=$("$toonbox" "$cmd" --help 2>/dev/null)
  listed=" $(printf '%s\n' "$help" | grep -oE '^  (-[a-zA-Z],)?--[a-z][a-z0-9-]*' | tr ',\n' '  ') "
  [ "$words" != "  " ] && ok "$cmd has an option table" || bad "$cmd has no options in its completion"
  undocumented=""
  for word in $words; do
    case "$word" in --help | -h) continue ;; esac
    case "$listed" in *" $word "*) ;; *) undocumented="$undocumented $word" ;; esac
  done
  [ -z "$undocumented" ] && ok "$cmd --help lists every option of its table" ||
    bad "$cmd --help lacks (no help text in its table?):$undocumented"
  missing=""
  for flag in $listed; do
    case "$words" in *" $flag "*) ;; *) missing="$missing $flag" ;; esac
  done
  [ -z "$missing" ] && ok "completion lists $cmd's documented options" || bad "completion lacks $cmd's:$missing"
done

## 10. -o - with a folder or several inputs: refused on stderr, nothing on stdout (even --json).
mkdir -p in/one && cp in/rgb.png in/one/
piped 2 "a folder to -o - with --json" /dev/null "$toonbox" cartoonize in/one -o - --format png --json --device cpu
contains "the refusal on stderr" "a folder or several inputs need -o OUTDIR"
empty "no JSON on stdout (it was promised an image)" stdout
piped 2 "a folder to -o - into a pipe (JSON lines by default)" /dev/null "$toonbox" upscale in/one -o - --format png -s 2 --device cpu
empty "upscale: nothing on stdout" stdout
piped 2 "several inputs to -o - with --json" /dev/null "$toonbox" cartoonize in/rgb.png in/rgba.png -o - --format png --json --device cpu
contains "several: the refusal on stderr" "several inputs need -o OUTDIR"
empty "several: no JSON on stdout" stdout
piped 2 "inpaint: a folder to -o -" /dev/null "$toonbox" inpaint ip/in --mask ip/mask.png -o - --format png --json --model telea
empty "inpaint: nothing on stdout" stdout

## 11. upscale DIR plans before it loads its model (the x2 model is not installed here).
mkdir -p in/empty out/up_exists && cp in/rgb.png out/up_exists/rgb.png
expect 0 "upscale: an empty folder" "$toonbox" upscale in/empty -o out/up_empty -s 2 --device cpu
lacks "upscale: no model load for an empty folder" "realesr-animevideov3"
expect 2 "upscale: an existing output is refused before the model" "$toonbox" upscale in/one -o out/up_exists -s 2 --device cpu
contains "upscale: the existing output named" "already exist"
lacks "upscale: not the model's error" "realesr-animevideov3"
expect 1 "upscale: with images, then the missing model" "$toonbox" upscale in/one -o out/up_model -s 2 --device cpu
contains "upscale: the model named" "realesr-animevideov3-x2"

## 12. run takes `-`, --format and --quality like the other image commands: with the channel
# probe (needs python3's onnx module) or, without it, the shared AnimeGANv3 tiny model.
cute="$shared/models/animeganv3-tiny-cute/AnimeGANv3_tiny_Cute.onnx"
run_model=()
if python3 "$here/make_channel_probe.py" in/probe.onnx 2>/dev/null; then
  run_model=(--model in/probe.onnx --range 0,1)
elif [ -f "$cute" ]; then
  run_model=(--model "$cute")
fi
if [ ${#run_model[@]} -gt 0 ]; then
  piped 0 "run: stdin to stdout" in/rgb.png "$toonbox" run "${run_model[@]}" - -o - --format png --device cpu
  magic "run: stdout holds a PNG" stdout 89504e470d0a1a0a
  contains "run: the result line on stderr" "wrote stdout"
  piped 2 "run: -o - needs --format" in/rgb.png "$toonbox" run "${run_model[@]}" - -o - --device cpu
  contains "run: says --format is needed" "add --format"
  empty "run: nothing on stdout" stdout
  expect 0 "run: --format for a name without an extension" "$toonbox" run "${run_model[@]}" in/rgb.png -o out/run_noext --format jpg --quality 80 --device cpu
  magic "run: out/run_noext is a JPEG" out/run_noext ffd8ff
  expect 2 "run: --format disagreeing with the extension" "$toonbox" run "${run_model[@]}" in/rgb.png -o out/r.png --format webp --device cpu
  contains "run: both named" "disagrees with --format webp"
else
  echo "skip - run with stdin/stdout: no model (python3's onnx module for the probe, or $cute)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
