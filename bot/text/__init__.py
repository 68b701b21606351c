"""Text rules shared by every stage: normalising (OpenCC, width, case), language, sentence
splitting, word segmentation (jieba set up once), and the spellings of one name."""
