"""Media: container sniffing (`formats`), ad images and shared records (`images`), chunked video
uploads (`videos`) and the video edges of ad accounts and Pages (`video_ads`)."""
