#!/usr/bin/env bash
# Install everything, ingest the configured documents and start the assistant (`quantriet serve`):
# the web chat and admin pages on 127.0.0.1, plus Telegram/Zalo when their tokens are set.
# On an empty roster it loads the sample roster from examples/, assigns the main document of the
# catalogue to it and prints invite links, so a newcomer can log in to the web chat straight away.
#
# Where a province puts its files: the folders of config.toml [knowledge] folders (by default
# knowledge/documents/, which ships the sample article), or `quantriet ingest URL` for a text
# published online (the fetched copy is kept under data/sources/ and re-checked at every start).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
Q=.venv/bin/quantriet
$Q ingest
if $Q roster list | tail -n 1 | grep -qx "0 người."; then
    echo "Danh sách cán bộ đang trống: nạp danh sách mẫu examples/danh-sach-can-bo-mau.csv"
    $Q roster import examples/danh-sach-can-bo-mau.csv
    if main=$($Q documents --main); then
        due=$(date -d '+14 days' +%F)
        # With comprehension questions when the text supports them (a short article may not).
        id=$($Q assign --document "$main" --due "$due" --check 2>/dev/null) \
            || id=$($Q assign --document "$main" --due "$due")
        echo "Đã giao văn bản $main cho toàn bộ cán bộ mẫu, hạn 14 ngày: đợt số $id."
    fi
    echo "Mã mời (mở đường link để đăng nhập trang trò chuyện):"
    $Q roster invites
fi
exec $Q serve
