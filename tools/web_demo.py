"""Try the shipped models in a browser: a Gradio page to upload an image or a short video and
compare it with the restored one.

    python tools/web_demo.py [--device cpu] [--max-memory GB] [--max-frames N]
                             [--server-name HOST] [--server-port PORT] [--share]
"""
from lfdn_mm.cli.web_demo import main

if __name__ == '__main__':
    main()
