# tests/tools/sample_inputs.sh - sourced by scripts that run the bundled
# samples: sample_inputs DIR prints a sample's input files, one a line (not its
# README, generator, expected outputs, args or reference data).
sample_inputs() {
	local f
	for f in "$1"/*; do
		case "$(basename "$f")" in
		README.md|make.py|expected*|args|reference.csv) continue ;;
		esac
		[ -f "$f" ] && echo "$f"
	done
}
