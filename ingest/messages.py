"""Why a file was skipped, in both interface languages. Ingest records a reason code and its
details (`Skipped.code`, `.args`); the CLI and logs print the English line, the app's upload
shows the user's language."""

from __future__ import annotations

SKIP: dict[str, dict[str, str]] = {
    "en": {
        "no_folder": "source folder does not exist or is not a folder",
        "folder_unreadable": "cannot read folder: {err}",
        "link_folder": "symbolic link to a folder {where} the source folder: not followed",
        "broken_link": "broken symbolic link",
        "link_outside": "symbolic link pointing outside the source folder: not followed",
        "link_duplicate": "symbolic link to another file in the folder: read once, as that file",
        "unsupported": "unsupported type {suffix}: only {supported} are read",
        "no_suffix": "no file extension: only {supported} are read",
        "empty": "empty file",
        "too_big": "file is {mb:.1f} MB, over the {limit:.1f} MB limit",
        "unreadable": "cannot read file: {err}",
        "reader_failed": "cannot read as {suffix}: {err}",
        "whitespace": "file contains only whitespace",
        "binary_like": "binary file (looks like {what}), not text",
        "bad_bom": "starts with a {enc} byte-order mark but is not valid {enc}",
        "binary_nul": "binary file (contains NUL bytes and is not UTF-16 text)",
        "binary_control": "binary file (mostly control characters), not text",
        "no_encoding": "could not determine the text encoding (not UTF-8, UTF-16, GB18030 or Big5 text)",
        "no_text": "no text in the file",
        "docx_not_zip": "not a Word .docx file (not a ZIP container); old .doc files must be saved as .docx",
        "docx_empty": "the Word document contains no text",
        "pdf_not_pdf": "not a PDF file (no %PDF header)",
        "pdf_unreadable": "not a readable PDF ({err})",
        "docx_unreadable": "not a readable Word .docx file ({err})",
        "srt_invalid": "not a valid SubRip (.srt) file: {err}",
        "vtt_invalid": "not a valid WebVTT (.vtt) file: {err}",
        "pdf_encrypted": "the PDF is password-protected",
        "pdf_no_text": "the PDF has no text layer (a scan?): run OCR on it first",
        "no_cues": "no subtitle cues in the file",
        "parse_failed": "cannot parse: {err}",
        "nothing_left": "no text left after cleaning",
    },
    "zh": {
        "no_folder": "源文件夹不存在或不是文件夹",
        "folder_unreadable": "无法读取文件夹:{err}",
        "link_folder": "指向源文件夹{where}的文件夹的符号链接:不跟随",
        "broken_link": "失效的符号链接",
        "link_outside": "指向源文件夹之外的符号链接:不跟随",
        "link_duplicate": "指向文件夹中另一个文件的符号链接:只按那个文件读一次",
        "unsupported": "不支持的类型 {suffix}:只读取 {supported}",
        "no_suffix": "没有扩展名:只读取 {supported}",
        "empty": "空文件",
        "too_big": "文件大小 {mb:.1f} MB,超过 {limit:.1f} MB 的上限",
        "unreadable": "无法读取文件:{err}",
        "reader_failed": "无法按 {suffix} 格式读取:{err}",
        "whitespace": "文件里只有空白",
        "binary_like": "二进制文件(看起来是 {what}),不是文字",
        "bad_bom": "以 {enc} 字节序标记开头,但不是有效的 {enc} 文字",
        "binary_nul": "二进制文件(含 NUL 字节,也不是 UTF-16 文字)",
        "binary_control": "二进制文件(大多是控制字符),不是文字",
        "no_encoding": "无法判断文字编码(不是 UTF-8、UTF-16、GB18030 或 Big5)",
        "no_text": "文件里没有文字",
        "docx_not_zip": "不是 Word .docx 文件(不是 ZIP 容器);旧的 .doc 文件请先另存为 .docx",
        "docx_empty": "这个 Word 文档里没有文字",
        "pdf_not_pdf": "不是 PDF 文件(没有 %PDF 文件头)",
        "pdf_unreadable": "无法读取这个 PDF({err})",
        "docx_unreadable": "无法读取这个 Word .docx 文件({err})",
        "srt_invalid": "不是有效的 SubRip(.srt)字幕文件:{err}",
        "vtt_invalid": "不是有效的 WebVTT(.vtt)字幕文件:{err}",
        "pdf_encrypted": "这个 PDF 有密码保护",
        "pdf_no_text": "这个 PDF 没有文字层(是扫描件?):请先做 OCR",
        "no_cues": "文件里没有字幕条目",
        "parse_failed": "无法解析:{err}",
        "nothing_left": "清理后没有剩下文字",
    },
}
# where a symbolic link points, as {where} above
WHERE = {"en": {"inside": "inside", "outside": "outside"}, "zh": {"inside": "之内", "outside": "之外"}}


def skip_reason(code: str, args: dict | None = None, lang: str = "en") -> str:
    """The line for a skip reason code in `lang` (English for anything else)."""
    table = SKIP.get(lang, SKIP["en"])
    args = dict(args or {})
    if "where" in args:
        args["where"] = WHERE.get(lang, WHERE["en"]).get(args["where"], args["where"])
    return table.get(code, SKIP["en"].get(code, code)).format(**args)
