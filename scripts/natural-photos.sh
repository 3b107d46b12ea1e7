#!/usr/bin/env bash
# Builds the natural-photo bench set (docs/NATURAL-PHOTOS.md): fetches the Debian wallpaper packages that hold the
# freely licensed photographs listed in scripts/natural-photos.tsv, checks each photo's SHA-256, and cuts COUNT crops at
# seeded random positions and scales into OUT_DIR, a folder that `robustcrop evaluate --data OUT_DIR` reads.
# Needs apt (apt-get download, dpkg-deb) at bench time only; the tests and the runs never fetch anything.
# PHOTO_LIST names another list of the same columns (scripts/distinct-photos.tsv: one photograph per crop, issue 21); a
# path "FILE.rcc!MEMBER" is a file inside a Qt resource file of the package (GCompris), taken out by the benchmark
# project's rcc-extract command.
#   usage: [PHOTO_LIST=scripts/distinct-photos.tsv] scripts/natural-photos.sh OUT_DIR [COUNT=300] [SEED=1]
set -euo pipefail

if [[ $# -lt 1 || $# -gt 3 ]]; then
  echo "usage: scripts/natural-photos.sh OUT_DIR [COUNT=300] [SEED=1]" >&2
  exit 2
fi
out=$1
count=${2:-300}
seed=${3:-1}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
list=${PHOTO_LIST:-$repo/scripts/natural-photos.tsv}
[[ -f $list ]] || { echo "natural-photos: photo list not found: $list" >&2; exit 2; }
for tool in apt-get dpkg-deb sha256sum dotnet; do
  command -v "$tool" >/dev/null || { echo "natural-photos: $tool not found (needs a Debian-based system with apt and the .NET SDK)" >&2; exit 2; }
done
if [[ -d $out && -n $(ls -A "$out") ]]; then
  echo "natural-photos: $out is not empty; give a new or empty folder" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debs" "$work/sources"

mapfile -t packages < <(grep -v '^#' "$list" | cut -f2 | sort -u)
echo "natural-photos: fetching ${packages[*]}" >&2
(cd "$work/debs" && apt-get download "${packages[@]}" >&2)
for pkg in "${packages[@]}"; do
  deb=$(ls "$work/debs/${pkg}"_*.deb)
  mkdir -p "$work/pkg/$pkg"
  dpkg-deb -x "$deb" "$work/pkg/$pkg"
  echo "natural-photos: $(basename "$deb")" >&2
done

# Each photo under its short name (keeping its file type); members of Qt resource files are taken out in one go. The
# list is read once: each photo's file, expected SHA-256 and origin go to checks.lst for the check below.
: > "$work/rcc.lst"
: > "$work/checks.lst"
while IFS=$'\t' read -r name pkg path licence author sha; do
  [[ -z $name || $name == \#* ]] && continue
  ext=${path##*.}
  dest="$work/sources/$name.${ext,,}"
  printf '%s\t%s\t%s\n' "$dest" "$sha" "$pkg$path" >> "$work/checks.lst"
  if [[ $path == *'!'* ]]; then
    rcc="$work/pkg/$pkg${path%%!*}"
    [[ -f $rcc ]] || { echo "natural-photos: $pkg has no ${path%%!*}" >&2; exit 1; }
    printf '%s\t%s\t%s\n' "$rcc" "${path#*!}" "$dest" >> "$work/rcc.lst"
  else
    src="$work/pkg/$pkg$path"
    [[ -f $src ]] || { echo "natural-photos: $pkg has no $path" >&2; exit 1; }
    cp "$src" "$dest"
  fi
done < "$list"
if [[ -s $work/rcc.lst ]]; then
  dotnet run --project "$repo/tests/RobustCrop.Benchmarks" -c Release -- rcc-extract "$work/rcc.lst" >&2
fi
# A changed file (a new package version) stops here rather than silently giving another set than the one the figures
# were measured on.
while IFS=$'\t' read -r dest sha origin; do
  actual=$(sha256sum "$dest" | cut -d' ' -f1)
  if [[ $actual != "$sha" ]]; then
    echo "natural-photos: $origin has SHA-256 $actual, the list has $sha (another package version?)" >&2
    exit 1
  fi
done < "$work/checks.lst"

dotnet run --project "$repo/tests/RobustCrop.Benchmarks" -c Release -- cut-photos "$work/sources" "$out" "$count" "$seed"
# The attributions travel with the set (a .txt file: the image-folder dataset skips it).
{
  echo "Crops of these photographs (name, Debian package, path, licence, author, SHA-256); crops.txt maps each crop to its source."
  grep -v '^#' "$list"
} > "$out/SOURCES.txt"
