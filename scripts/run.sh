#!/usr/bin/env bash
# Install everything, ingest the configured documents and start the assistant (`quantriet serve`):
# the web chat and admin pages on 127.0.0.1, plus Telegram/Zalo when their tokens are set.
# On an empty roster it loads the sample roster from examples/ and prints invite links, so a
# newcomer can log in to the web chat straight away.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
Q=.venv/bin/quantriet
$Q ingest
if $Q roster list | tail -n 1 | grep -qx "0 người."; then
    echo "Danh sách cán bộ đang trống: nạp danh sách mẫu examples/danh-sach-can-bo-mau.csv"
    $Q roster import examples/danh-sach-can-bo-mau.csv
    if $Q documents | grep -q "69-KL/TW"; then
        echo "Giao Kết luận 69-KL/TW cho toàn bộ cán bộ mẫu (hạn 14 ngày, có câu hỏi kiểm tra): đợt số $(
            $Q assign --document 69-KL/TW --due "$(date -d '+14 days' +%F)" --check)"
    fi
    echo "Mã mời (mở đường link để đăng nhập trang trò chuyện):"
    $Q roster invites
fi
exec $Q serve
