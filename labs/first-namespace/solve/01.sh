hostname my-box
