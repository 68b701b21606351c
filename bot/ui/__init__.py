"""The Gradio web app: blocks and event wiring, rendering of answers and sources, interface text
in Chinese and English, uploads of new transcripts."""
